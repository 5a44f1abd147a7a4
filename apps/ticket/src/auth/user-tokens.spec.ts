import {
  subjects,
  type AuthenticatedUserReply,
  type EventEnvelope,
  type InvitationAcceptedReply,
  type IssuedLinkToken,
  type IssuedRefreshToken,
  type PasswordResetRequestedData,
  type SignupReply,
} from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { hashToken } from './opaque-token.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const INVALID_RESET_LINK = { code: 'UNAUTHORIZED', message: 'The reset link is invalid or has expired' };
const INVALID_INVITATION = { code: 'UNAUTHORIZED', message: 'The invitation is invalid or has expired' };

const uniqueEmail = (label: string) => `${label}-${randomBytes(3).toString('hex')}@example.com`;

describe('auth: password reset and invitation links', () => {
  let harness: TicketHarness;

  const signupAs = (email: string, organizationName = 'Reset Desk') => harness.send<SignupReply>(subjects.organizations.signup, { organizationName, name: 'Ada Admin', email, password: PASSWORD });
  const failure = async (subject: string, payload: object) => {
    const { code, message, details } = await harness.fail(subject, payload);
    return { code, message, details };
  };
  const login = (email: string, password: string) => harness.send<AuthenticatedUserReply>(subjects.auth.verifyCredentials, { email, password });
  const requestReset = (email: string, organization?: string) => harness.send(subjects.auth.requestPasswordReset, { email, ...(organization ? { organization } : {}) });
  const resetLink = (userId: string) => harness.send<IssuedLinkToken>(subjects.auth.issuePasswordResetLink, { userId, requestId: randomUUID() });
  const confirmReset = (token: string, password = NEW_PASSWORD) => harness.send<{ userId: string }>(subjects.auth.confirmPasswordReset, { token, password });
  const invitationLink = (userId: string) => harness.send<IssuedLinkToken>(subjects.auth.issueInvitationLink, { userId });
  const accept = (token: string, password = NEW_PASSWORD) => harness.send<InvitationAcceptedReply>(subjects.auth.acceptInvitation, { token, password });
  const expire = (token: string) => harness.dataSource.query(`UPDATE helpdesk.user_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [hashToken(token)]);
  const resetEvents = async () =>
    (await harness.storedEvents()).map((stored) => stored.envelope).filter((envelope): envelope is EventEnvelope<PasswordResetRequestedData> => envelope.type === 'auth.password_reset_requested');
  const emailOf = async (userId: string) => ((await harness.dataSource.query('SELECT email FROM helpdesk.users WHERE id = $1', [userId])) as Array<{ email: string }>)[0]!.email;

  beforeAll(async () => {
    harness = await TicketHarness.start('auth-links');
  });

  afterAll(() => harness?.stop());

  describe('password reset', () => {
    it('answers a request for an unknown email exactly like one for a real account', async () => {
      const { user } = await signupAs(uniqueEmail('real'));
      expect(await requestReset(user.email)).toEqual({ accepted: true });
      expect(await requestReset(uniqueEmail('nobody'))).toEqual({ accepted: true });
    });

    it('announces a request with an event for the mailer that carries no token, and stores nothing else', async () => {
      const unknown = uniqueEmail('unknown');
      const { reply: leaverOrg } = await harness.signup('Leaver Desk');
      await harness.dataSource.query('UPDATE helpdesk.users SET active = false WHERE id = $1', [leaverOrg.user.id]);
      const { user } = await signupAs(uniqueEmail('forgetful'));
      await requestReset(unknown);
      await requestReset(leaverOrg.user.email);
      await requestReset(user.email.toUpperCase());

      const event = await waitFor('the reset request in the stream', async () => (await resetEvents()).find((envelope) => envelope.aggregateId === user.id), 10_000);
      expect(event).toMatchObject({ orgId: user.organizationId, actor: { system: 'auth' }, data: { userId: user.id, email: user.email, name: 'Ada Admin' } });
      expect(event.data.requestId).toMatch(/^[0-9a-f-]{36}$/);
      const announced = (await resetEvents()).map((envelope) => envelope.data.email);
      expect(announced).not.toContain(unknown);
      expect(announced).not.toContain(leaverOrg.user.email);
      const [stored] = (await harness.dataSource.query('SELECT count(*)::int AS tokens FROM helpdesk.user_tokens WHERE user_id = $1', [user.id])) as Array<{ tokens: number }>;
      expect(stored!.tokens).toBe(0);

      const { token } = await harness.send<IssuedLinkToken>(subjects.auth.issuePasswordResetLink, { userId: user.id, requestId: event.data.requestId });
      const everyEvent = JSON.stringify(await harness.storedEvents());
      expect(everyEvent).not.toContain(token);
      expect(everyEvent).not.toContain(hashToken(token));
      expect(everyEvent).not.toMatch(/"token"/);
    });

    it('resets only the account in the named organization when the email has several', async () => {
      const email = uniqueEmail('two-desks');
      await signupAs(email, 'First Desk');
      const second = await signupAs(email, 'Second Desk');
      const before = (await resetEvents()).length;
      await requestReset(email, second.organization.slug);
      const events = await waitFor('one more reset event', async () => {
        const all = await resetEvents();
        return all.length > before ? all.slice(before) : undefined;
      });
      expect(events.map((envelope) => envelope.data.userId)).toEqual([second.user.id]);
    });

    it('sets the new password with a mailed link, once: the old password and the used link stop working', async () => {
      const { user } = await signupAs(uniqueEmail('reset'));
      const link = await resetLink(user.id);
      expect(Math.abs(new Date(link.expiresAt).getTime() - (Date.now() + 60 * 60 * 1000))).toBeLessThan(60_000);
      expect(await confirmReset(link.token)).toEqual({ userId: user.id });
      expect((await login(user.email, NEW_PASSWORD)).user.id).toBe(user.id);
      expect(await failure(subjects.auth.verifyCredentials, { email: user.email, password: PASSWORD })).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await failure(subjects.auth.confirmPasswordReset, { token: link.token, password: 'yet another passphrase' })).toEqual(INVALID_RESET_LINK);
    });

    it('refuses an expired link, an unknown one, and one superseded by a newer mail', async () => {
      const { user } = await signupAs(uniqueEmail('late'));
      const expired = await resetLink(user.id);
      await expire(expired.token);
      expect(await failure(subjects.auth.confirmPasswordReset, { token: expired.token, password: NEW_PASSWORD })).toEqual(INVALID_RESET_LINK);
      expect(await failure(subjects.auth.confirmPasswordReset, { token: randomBytes(32).toString('base64url'), password: NEW_PASSWORD })).toEqual(INVALID_RESET_LINK);
      const older = await resetLink(user.id);
      const newer = await resetLink(user.id);
      expect(await failure(subjects.auth.confirmPasswordReset, { token: older.token, password: NEW_PASSWORD })).toEqual(INVALID_RESET_LINK);
      expect(await confirmReset(newer.token)).toEqual({ userId: user.id });
    });

    it('ends every session of the user when the password is reset', async () => {
      const { user } = await signupAs(uniqueEmail('sessions'));
      const sessions = await Promise.all(
        [1, 2].map(() => harness.send<IssuedRefreshToken>(subjects.auth.issueRefreshToken, { principal: { orgId: user.organizationId, userId: user.id, role: user.role } })),
      );
      await confirmReset((await resetLink(user.id)).token);
      for (const session of sessions) {
        expect(await failure(subjects.auth.rotateRefreshToken, { refreshToken: session.refreshToken })).toMatchObject({ code: 'UNAUTHORIZED' });
      }
    });

    it('lets exactly one of several simultaneous uses of a link through', async () => {
      const { user } = await signupAs(uniqueEmail('race'));
      const { token } = await resetLink(user.id);
      const passwords = ['first racing passphrase', 'second racing passphrase', 'third racing passphrase'];
      const results = await Promise.allSettled(passwords.map((password) => confirmReset(token, password)));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const winner = passwords[results.findIndex((result) => result.status === 'fulfilled')]!;
      expect((await login(user.email, winner)).user.id).toBe(user.id);
    });

    it('lets a customer who never had a password set one through a reset link', async () => {
      const { reply } = await harness.signup('Customer Desk');
      const customer = await harness.addUser(reply.organization.id, 'customer');
      await confirmReset((await resetLink(customer.userId)).token);
      expect((await login(await emailOf(customer.userId), NEW_PASSWORD)).user).toMatchObject({ id: customer.userId, role: 'customer' });
    });

    it('refuses a new password shorter than 10 characters', async () => {
      const { user } = await signupAs(uniqueEmail('short'));
      const { token } = await resetLink(user.id);
      const refused = await failure(subjects.auth.confirmPasswordReset, { token, password: 'short' });
      expect(refused.code).toBe('VALIDATION');
      expect(refused.details).toEqual([expect.stringMatching(/^password must be longer than or equal to 10 characters/)]);
      expect(await confirmReset(token)).toEqual({ userId: user.id });
    });
  });

  describe('invitations', () => {
    let orgId: string;
    beforeAll(async () => {
      ({ organization: { id: orgId } } = await signupAs(uniqueEmail('inviter'), 'Inviting Desk'));
    });

    it('lets an invited user set a first password with the link and log in, once', async () => {
      const agent = await harness.addUser(orgId, 'agent');
      const link = await invitationLink(agent.userId);
      expect(Math.abs(new Date(link.expiresAt).getTime() - (Date.now() + 7 * 24 * 60 * 60 * 1000))).toBeLessThan(60_000);
      const accepted = await accept(link.token);
      expect(accepted.user).toMatchObject({ id: agent.userId, organizationId: orgId, role: 'agent', active: true });
      expect((await login(accepted.user.email, NEW_PASSWORD)).user.id).toBe(agent.userId);
      expect(await failure(subjects.auth.acceptInvitation, { token: link.token, password: 'a second passphrase' })).toEqual(INVALID_INVITATION);
    });

    it('refuses an invitation link for a user who already has a password, and for an unknown user', async () => {
      const { user } = await signupAs(uniqueEmail('has-password'));
      expect(await failure(subjects.auth.issueInvitationLink, { userId: user.id })).toMatchObject({ code: 'CONFLICT' });
      expect(await failure(subjects.auth.issueInvitationLink, { userId: randomUUID() })).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses an expired invitation, and a link minted for the other purpose', async () => {
      const agent = await harness.addUser(orgId, 'agent');
      const expired = await invitationLink(agent.userId);
      await expire(expired.token);
      expect(await failure(subjects.auth.acceptInvitation, { token: expired.token, password: NEW_PASSWORD })).toEqual(INVALID_INVITATION);
      const reset = await resetLink(agent.userId);
      expect(await failure(subjects.auth.acceptInvitation, { token: reset.token, password: NEW_PASSWORD })).toEqual(INVALID_INVITATION);
      const invitation = await invitationLink(agent.userId);
      expect(await failure(subjects.auth.confirmPasswordReset, { token: invitation.token, password: NEW_PASSWORD })).toEqual(INVALID_RESET_LINK);
      expect((await accept(invitation.token)).user.id).toBe(agent.userId);
    });
  });
});
