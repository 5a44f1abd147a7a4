import { NOTIFICATION_PREFERENCES, subjects, type AuthenticatedUserReply, type MeReply, type IssuedRefreshToken, type Principal, type RotatedRefreshToken, type SignupReply, type UserView } from '@helpdesk/contracts';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { hashToken } from './opaque-token.js';

const PASSWORD = 'correct horse battery staple';
const INVALID_LOGIN = { code: 'UNAUTHORIZED', message: 'Invalid email or password' };
const INVALID_REFRESH = { code: 'UNAUTHORIZED', message: 'The refresh token is invalid or has expired' };
const DAY_MS = 24 * 60 * 60 * 1000;

const uniqueEmail = (label: string) => `${label}-${randomBytes(3).toString('hex')}@example.com`;

describe('auth: credentials and sessions', () => {
  let harness: TicketHarness;
  let acme: SignupReply;

  const signupAs = (email: string, organizationName: string, password = PASSWORD) =>
    harness.send<SignupReply>(subjects.organizations.signup, { organizationName, name: 'Ada Admin', email, password });
  const login = (payload: { email: string; password: string; organization?: string }) => harness.send<AuthenticatedUserReply>(subjects.auth.verifyCredentials, payload);
  /** The error envelope as the gateway receives it, to compare answers field by field. */
  const failure = async (subject: string, payload: object) => {
    const { code, message, details } = await harness.fail(subject, payload);
    return { code, message, details };
  };
  const loginFailure = (payload: { email: string; password: string; organization?: string }) => failure(subjects.auth.verifyCredentials, payload);
  /** What the gateway sends after a successful login: the principal that login produced. */
  const principalOf = (user: Pick<UserView, 'id' | 'organizationId' | 'role'>): Principal => ({ orgId: user.organizationId, userId: user.id, role: user.role });
  const startSession = (user: Pick<UserView, 'id' | 'organizationId' | 'role'>) => harness.send<IssuedRefreshToken>(subjects.auth.issueRefreshToken, { principal: principalOf(user) });
  const rotate = (refreshToken: string) => harness.send<RotatedRefreshToken>(subjects.auth.rotateRefreshToken, { refreshToken });
  const rotateFailure = (refreshToken: string) => failure(subjects.auth.rotateRefreshToken, { refreshToken });
  const logout = (refreshToken: string) => harness.send<{ revoked: boolean }>(subjects.auth.revokeRefreshToken, { refreshToken });
  const deactivate = (userId: string) => harness.dataSource.query('UPDATE helpdesk.users SET active = false WHERE id = $1', [userId]);

  beforeAll(async () => {
    harness = await TicketHarness.start('auth');
    ({ reply: acme } = await harness.signup('Acme Support'));
  });

  afterAll(() => harness?.stop());

  describe('login', () => {
    it('answers the user and organization for the right password, whatever the case of the email, and records the login', async () => {
      const reply = await login({ email: acme.user.email.toUpperCase(), password: PASSWORD });
      expect(reply).toEqual({ user: acme.user, organization: acme.organization });
      const [row] = (await harness.dataSource.query('SELECT last_login_at FROM helpdesk.users WHERE id = $1', [acme.user.id])) as Array<{ last_login_at: Date | null }>;
      expect(Date.now() - row!.last_login_at!.getTime()).toBeLessThan(60_000);
    });

    it('gives one identical answer for a wrong password, an unknown email, a deactivated account and an account without a password', async () => {
      const leaver = await signupAs(uniqueEmail('leaver'), 'Leaver Inc');
      await deactivate(leaver.user.id);
      const invited = await harness.addUser(acme.organization.id, 'agent', uniqueEmail('invited'));
      const [invitedRow] = (await harness.dataSource.query('SELECT email FROM helpdesk.users WHERE id = $1', [invited.userId])) as Array<{ email: string }>;
      const failures = [
        await loginFailure({ email: acme.user.email, password: 'not the right password' }),
        await loginFailure({ email: uniqueEmail('nobody'), password: PASSWORD }),
        await loginFailure({ email: leaver.user.email, password: PASSWORD }),
        await loginFailure({ email: invitedRow!.email, password: PASSWORD }),
      ];
      for (const failure of failures) expect(failure).toEqual(INVALID_LOGIN);
    });

    it('asks which organization when the email has accounts in several, but only once the password matched', async () => {
      const email = uniqueEmail('consultant');
      const north = await signupAs(email, 'North Desk');
      const south = await signupAs(email, 'South Desk');
      await signupAs(email, 'West Desk', 'a different passphrase');

      expect(await loginFailure({ email, password: 'not the right password' })).toEqual(INVALID_LOGIN);
      const ambiguous = await loginFailure({ email, password: PASSWORD });
      expect(ambiguous).toEqual({
        code: 'VALIDATION',
        message: 'organization is required: this email belongs to several organizations',
        details: { organizations: [{ slug: north.organization.slug, name: 'North Desk' }, { slug: south.organization.slug, name: 'South Desk' }] },
      });
      expect(await login({ email, password: PASSWORD, organization: south.organization.slug })).toMatchObject({ user: { id: south.user.id }, organization: { id: south.organization.id } });
      expect(await loginFailure({ email, password: PASSWORD, organization: 'no-such-desk' })).toEqual(INVALID_LOGIN);
    });

    it('logs in without an organization when the other accounts with that email cannot log in', async () => {
      const email = uniqueEmail('customer-too');
      const own = await signupAs(email, 'Own Desk');
      await harness.addUser(acme.organization.id, 'customer', email);
      expect(await login({ email, password: PASSWORD })).toMatchObject({ user: { id: own.user.id } });
    });
  });

  describe('refresh tokens', () => {
    let user: UserView;
    beforeAll(async () => {
      ({ user } = await signupAs(uniqueEmail('session'), 'Session Desk'));
    });

    it('issues an opaque token valid for 30 days and stores only its SHA-256', async () => {
      const session = await startSession(user);
      expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Math.abs(new Date(session.expiresAt).getTime() - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
      const stored = (await harness.dataSource.query('SELECT token_hash FROM helpdesk.refresh_tokens WHERE user_id = $1', [user.id])) as Array<{ token_hash: string }>;
      expect(stored.map((row) => row.token_hash)).toContain(hashToken(session.refreshToken));
      expect(JSON.stringify(stored)).not.toContain(session.refreshToken);
    });

    it('refuses to start a session for a deactivated user or in another organization', async () => {
      const gone = await signupAs(uniqueEmail('gone'), 'Gone Desk');
      await deactivate(gone.user.id);
      expect(await harness.fail(subjects.auth.issueRefreshToken, { principal: principalOf(gone.user) })).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await harness.fail(subjects.auth.issueRefreshToken, { principal: { ...principalOf(user), orgId: acme.organization.id } })).toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('refuses to start a session without the principal of a login, or with a role the user does not have', async () => {
      expect(await harness.fail(subjects.auth.issueRefreshToken, { userId: user.id, organizationId: user.organizationId })).toMatchObject({
        code: 'VALIDATION',
        details: expect.arrayContaining([expect.stringMatching(/^principal/)]),
      });
      expect(await harness.fail(subjects.auth.issueRefreshToken, { principal: { ...principalOf(user), role: user.role === 'admin' ? 'agent' : 'admin' } })).toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('rotates a token into a new one that rotates in turn, answering the current user', async () => {
      const first = await startSession(user);
      const second = await rotate(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.user).toEqual(user);
      const third = await rotate(second.refreshToken);
      expect(third.user.id).toBe(user.id);
    });

    it('treats a rotated token presented again as stolen and ends the whole session, newest token included', async () => {
      const first = await startSession(user);
      const second = await rotate(first.refreshToken);
      const newest = await rotate(second.refreshToken);
      expect(await rotateFailure(first.refreshToken)).toEqual(INVALID_REFRESH);
      expect(await rotateFailure(newest.refreshToken)).toEqual(INVALID_REFRESH);
    });

    it('lets exactly one of several simultaneous rotations of one token through', async () => {
      const session = await startSession(user);
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => rotate(session.refreshToken)));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const [family] = (await harness.dataSource.query(
        'SELECT count(*)::int AS tokens FROM helpdesk.refresh_tokens WHERE family_id = (SELECT family_id FROM helpdesk.refresh_tokens WHERE token_hash = $1)',
        [hashToken(session.refreshToken)],
      )) as Array<{ tokens: number }>;
      expect(family!.tokens).toBe(2);
    });

    it('refuses a rotation that collides with one in flight, without ending the session', async () => {
      const session = await startSession(user);
      const inFlight = harness.dataSource.createQueryRunner();
      await inFlight.connect();
      await inFlight.startTransaction();
      try {
        await inFlight.query('SELECT id FROM helpdesk.refresh_tokens WHERE token_hash = $1 FOR UPDATE', [hashToken(session.refreshToken)]);
        expect(await rotateFailure(session.refreshToken)).toMatchObject({ code: 'CONFLICT' });
      } finally {
        await inFlight.rollbackTransaction();
        await inFlight.release();
      }
      expect((await rotate(session.refreshToken)).user.id).toBe(user.id);
    });

    it('refuses an unknown token, an expired one, and one whose user was deactivated', async () => {
      expect(await rotateFailure(randomBytes(32).toString('base64url'))).toEqual(INVALID_REFRESH);
      const expired = await startSession(user);
      await harness.dataSource.query(`UPDATE helpdesk.refresh_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [hashToken(expired.refreshToken)]);
      expect(await rotateFailure(expired.refreshToken)).toEqual(INVALID_REFRESH);
      const leaving = await signupAs(uniqueEmail('leaving'), 'Leaving Desk');
      const leavingSession = await startSession(leaving.user);
      await deactivate(leaving.user.id);
      expect(await rotateFailure(leavingSession.refreshToken)).toEqual(INVALID_REFRESH);
    });

    it('logs out: the session ends whichever of its tokens is presented, other sessions go on, and logging out twice is harmless', async () => {
      const laptop = await startSession(user);
      const phone = await startSession(user);
      const rotated = await rotate(laptop.refreshToken);
      expect(await logout(rotated.refreshToken)).toEqual({ revoked: true });
      expect(await rotateFailure(rotated.refreshToken)).toEqual(INVALID_REFRESH);
      expect(await logout(rotated.refreshToken)).toEqual({ revoked: false });
      expect(await logout(randomBytes(32).toString('base64url'))).toEqual({ revoked: false });
      expect((await rotate(phone.refreshToken)).user.id).toBe(user.id);
    });
  });

  describe('me', () => {
    it('answers the caller with their organization, and refuses a deactivated caller', async () => {
      const reply = await signupAs(uniqueEmail('me'), 'Me Desk');
      const principal: Principal = { orgId: reply.organization.id, userId: reply.user.id, role: 'admin' };
      const me = await harness.send<MeReply>(subjects.auth.me, { principal });
      expect(me).toEqual({ user: { ...reply.user, notificationPreferences: expect.any(Object) }, organization: reply.organization });
      expect(Object.keys(me.user.notificationPreferences).sort()).toEqual([...NOTIFICATION_PREFERENCES].sort());
      await deactivate(reply.user.id);
      expect(await harness.fail(subjects.auth.me, { principal })).toMatchObject({ code: 'UNAUTHORIZED' });
    });
  });

  it('rejects malformed commands with the fields named', async () => {
    const failure = await harness.fail(subjects.auth.verifyCredentials, { email: 'not-an-email', password: '', extra: 1 });
    expect(failure.code).toBe('VALIDATION');
    expect(failure.details).toEqual(expect.arrayContaining([expect.stringMatching(/^email/), expect.stringMatching(/^password/), 'property extra should not exist']));
    expect(await harness.fail(subjects.auth.issueRefreshToken, { principal: { userId: 'me', orgId: acme.organization.id, role: 'admin' } })).toMatchObject({ code: 'VALIDATION' });
  });
});
