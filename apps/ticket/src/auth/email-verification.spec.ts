import { subjects, type EmailVerificationRequestedData, type EventEnvelope, type IssuedLinkToken, type OrganizationView, type Principal, type SignupReply } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { hashToken } from './opaque-token.js';

const INVALID_LINK = { code: 'UNAUTHORIZED', message: 'The verification link is invalid or has expired' };

describe('auth: verifying the signup address of an organization', () => {
  let harness: TicketHarness;

  const signup = async () => {
    const reply = await harness.send<SignupReply>(subjects.organizations.signup, {
      organizationName: 'Verify Desk',
      name: 'Ada Admin',
      email: `admin-${randomBytes(3).toString('hex')}@example.com`,
      password: 'correct horse battery staple',
    });
    const admin: Principal = { orgId: reply.organization.id, userId: reply.user.id, role: 'admin' };
    return { reply, admin };
  };
  const issueLink = (userId: string) => harness.send<IssuedLinkToken>(subjects.auth.issueEmailVerificationLink, { userId });
  const confirm = (token: string) => harness.send<{ organizationId: string }>(subjects.auth.confirmEmailVerification, { token });
  const organization = (principal: Principal) => harness.send<OrganizationView>(subjects.organizations.get, { principal });
  const failure = async (subject: string, payload: object) => {
    const { code, message } = await harness.fail(subject, payload);
    return { code, message };
  };
  const verificationEvents = async (orgId: string) =>
    (await harness.storedEvents())
      .map((stored) => stored.envelope)
      .filter((envelope): envelope is EventEnvelope<EmailVerificationRequestedData> => envelope.type === 'auth.email_verification_requested' && envelope.orgId === orgId);

  beforeAll(async () => {
    harness = await TicketHarness.start('email-verification');
  });

  afterAll(() => harness?.stop());

  it('starts a new organization unverified and asks the mailer, by an event without a token, to send the admin a link', async () => {
    const { reply, admin } = await signup();

    expect(reply.organization.emailVerified).toBe(false);
    expect((await organization(admin)).emailVerified).toBe(false);
    const [event, ...others] = await waitFor('the verification event', async () => {
      const events = await verificationEvents(admin.orgId);
      return events.length > 0 ? events : undefined;
    });
    expect(others).toEqual([]);
    expect(event!.aggregateId).toBe(admin.userId);
    expect(event!.data).toEqual({ userId: admin.userId, requestId: expect.any(String) });
  });

  it('marks the organization verified with the mailed link, which works once', async () => {
    const { admin } = await signup();
    const { token, expiresAt } = await issueLink(admin.userId);

    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 47 * 60 * 60 * 1000);
    expect(await confirm(token)).toEqual({ organizationId: admin.orgId });
    expect((await organization(admin)).emailVerified).toBe(true);
    expect(await failure(subjects.auth.confirmEmailVerification, { token })).toEqual(INVALID_LINK);
    expect(await failure(subjects.auth.issueEmailVerificationLink, { userId: admin.userId })).toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses an expired link, a link replaced by a newer one, and a made-up one', async () => {
    const { admin } = await signup();
    const first = await issueLink(admin.userId);
    const second = await issueLink(admin.userId);
    await harness.dataSource.query(`UPDATE helpdesk.user_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hashToken(second.token)]);

    expect(await failure(subjects.auth.confirmEmailVerification, { token: first.token })).toEqual(INVALID_LINK);
    expect(await failure(subjects.auth.confirmEmailVerification, { token: second.token })).toEqual(INVALID_LINK);
    expect(await failure(subjects.auth.confirmEmailVerification, { token: 'made-up' })).toEqual(INVALID_LINK);
    expect((await organization(admin)).emailVerified).toBe(false);
  });

  it('resends to the calling admin while unverified, refuses agents and refuses once verified', async () => {
    const { admin } = await signup();
    const agent = await harness.addUser(admin.orgId, 'agent');

    expect(await harness.send(subjects.auth.resendEmailVerification, { principal: admin })).toEqual({ accepted: true });
    await waitFor('a second verification event', async () => (await verificationEvents(admin.orgId)).length === 2);
    expect(await failure(subjects.auth.resendEmailVerification, { principal: agent })).toMatchObject({ code: 'FORBIDDEN' });
    await confirm((await issueLink(admin.userId)).token);
    expect(await failure(subjects.auth.resendEmailVerification, { principal: admin })).toEqual({ code: 'CONFLICT', message: 'The organization’s email address is already verified' });
  });
});
