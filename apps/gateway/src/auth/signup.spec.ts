import type { OrganizationView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_BASE_URL, NotificationHarness } from '../../../notification/src/testing/notification-harness.js';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

describe('POST /api/v1/auth/signup when SIGNUP_ENABLED is not set', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('signup-default', { SIGNUP_ENABLED: undefined });
  });

  afterAll(() => gateway?.stop());

  it('is refused with 403, so a fresh install is not an open organization factory', async () => {
    const response = await gateway.call('/auth/signup', {
      body: { organizationName: 'Spam Inc', name: 'Spammer', email: 'spammer@example.com', password: 'correct horse battery staple' },
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ statusCode: 403, error: 'Forbidden', message: 'Signup is disabled on this helpdesk' });
  });
});

describe('verifying the signup address: POST /api/v1/auth/verify-email and /auth/verify-email/resend', () => {
  let gateway: GatewayHarness;
  let mail: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('verify-email');
    mail = await NotificationHarness.start('verify-email', {}, { ticket: gateway.ticket });
  });

  afterAll(async () => {
    await mail?.stop();
    await gateway?.stop();
  });

  const organizationOf = async (admin: SignedUpAdmin) => (await (await gateway.call('/organization', { token: admin.accessToken })).json()) as OrganizationView;
  const verificationTokens = (admin: SignedUpAdmin) =>
    mail.sink.mailsTo(admin.user.email).flatMap((received) => new RegExp(`${APP_BASE_URL}/verify-email\\?token=([\\w-]+)`).exec(received.text)?.[1] ?? []);
  const verify = (token: unknown) => gateway.call('/auth/verify-email', { body: { token } });
  const resend = (admin: { accessToken: string }) => gateway.call('/auth/verify-email/resend', { method: 'POST', token: admin.accessToken });

  it('shows the admin the organization is unverified, until the mailed link is posted back; the link works once', async () => {
    const admin = await gateway.signup('Fresh Desk', { emailVerified: false });
    expect(admin.organization.emailVerified).toBe(false);
    expect((await organizationOf(admin)).emailVerified).toBe(false);
    const [token] = await waitFor('the verification mail', async () => {
      const tokens = verificationTokens(admin);
      return tokens.length > 0 ? tokens : undefined;
    });

    const first = await verify(token);
    const again = await verify(token);

    expect(first.status).toBe(204);
    expect((await organizationOf(admin)).emailVerified).toBe(true);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ message: 'The verification link is invalid or has expired' });
  });

  it('refuses a missing or malformed token naming the field', async () => {
    const response = await verify(42);

    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('token');
  });

  it('resends to the admin who asks, at most 3 times an hour, and refuses agents', async () => {
    const admin = await gateway.signup('Resend Desk', { emailVerified: false });
    const agent = await gateway.addUser(admin.organization.id, 'agent');

    const answers = [];
    for (let attempt = 0; attempt < 4; attempt += 1) answers.push((await resend(admin)).status);
    const byAgent = await resend(agent);
    await mail.settled();

    expect(answers).toEqual([202, 202, 202, 429]);
    expect(byAgent.status).toBe(403);
    const tokens = verificationTokens(admin);
    expect(tokens).toHaveLength(4);
    // Each link issued voids the earlier ones; mails are sent in parallel, so any of them may be the last issued.
    const verified = [];
    for (const token of tokens) verified.push((await verify(token)).status);
    expect(verified.sort()).toEqual([204, 401, 401, 401]);
  });

  it('answers 409 to a resend once the organization is verified', async () => {
    const admin = await gateway.signup('Verified Desk');

    const response = await resend(admin);

    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ message: 'The organization’s email address is already verified' });
  });
});
