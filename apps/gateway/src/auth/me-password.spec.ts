import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase 42';

interface Session {
  accessToken: string;
  refreshToken: string;
}

describe('POST /api/v1/me/password', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('me-password', { NATS_REQUEST_TIMEOUT_MS: '30000' });
  });

  afterAll(() => gateway?.stop());

  const login = async (email: string, password: string): Promise<Session> => {
    const response = await gateway.call('/auth/login', { body: { email, password } });
    expect(response.status).toBe(200);
    return (await response.json()) as Session;
  };
  const refresh = (session: Session) => gateway.call('/auth/refresh', { body: { refreshToken: session.refreshToken } });
  const changePassword = (session: Session, body: object) => gateway.call('/me/password', { token: session.accessToken, body });

  it('changes the password, keeps the session that asked and ends every other one', async () => {
    const admin: SignedUpAdmin = await gateway.signup('Password Desk');
    const current = await login(admin.user.email, PASSWORD);
    const other = await login(admin.user.email, PASSWORD);

    const response = await changePassword(current, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });

    expect(response.status).toBe(204);
    expect((await refresh(current)).status).toBe(200);
    expect((await refresh(other)).status).toBe(401);
    expect((await gateway.call('/auth/login', { body: { email: admin.user.email, password: PASSWORD } })).status).toBe(401);
    await login(admin.user.email, NEW_PASSWORD);
  });

  it('refuses a wrong current password with 400 naming currentPassword, and changes nothing', async () => {
    const admin = await gateway.signup('Wrong Guess Desk');
    const session = await login(admin.user.email, PASSWORD);

    const response = await changePassword(session, { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string[] };
    expect(body.error).toBe('Bad Request');
    expect(body.message.join(' ')).toContain('currentPassword');
    await login(admin.user.email, PASSWORD);
    expect((await refresh(session)).status).toBe(200);
  });

  it('validates the new password like a reset (400 naming newPassword) and needs a signed-in caller', async () => {
    const admin = await gateway.signup('Rules Desk');
    const session = await login(admin.user.email, PASSWORD);

    const tooShort = await changePassword(session, { currentPassword: PASSWORD, newPassword: 'short' });
    const anonymous = await gateway.call('/me/password', { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });

    expect(tooShort.status).toBe(400);
    expect(((await tooShort.json()) as { message: string[] }).message.join(' ')).toContain('newPassword');
    expect(anonymous.status).toBe(401);
    await login(admin.user.email, PASSWORD);
  });
});
