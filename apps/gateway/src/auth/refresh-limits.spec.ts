import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

const PASSWORD = 'correct horse battery staple';
/** The gateway trusts X-Forwarded-For here, so each caller can have its own address. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('POST /api/v1/auth/refresh limits', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let lastOctet = 0;
  const newAddress = () => `203.0.113.${(lastOctet += 1)}`;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('refresh-limits', { TRUST_PROXY: 'true', RATE_LIMIT_ANON_PER_HOUR: '3', RATE_LIMIT_REFRESH_FAILURES_PER_IP_PER_MINUTE: '8', NATS_REQUEST_TIMEOUT_MS: '30000' }, { RATE_LIMIT_REFRESH_PER_SESSION_PER_HOUR: '3', SESSION_MAX_DAYS: '30' });
    admin = await gateway.signup('Refresh Desk');
  });

  afterAll(() => gateway?.stop());

  /** A new session of the admin, logged in from an address of its own. */
  const login = async (): Promise<string> => {
    const response = await gateway.call('/auth/login', { body: { email: admin.user.email, password: PASSWORD }, headers: from(newAddress()) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { refreshToken: string }).refreshToken;
  };

  const refresh = (refreshToken: string, address: string) => gateway.call('/auth/refresh', { body: { refreshToken }, headers: from(address) });

  it('is not counted against the anonymous per-IP limit: many sessions behind one address all refresh', async () => {
    const office = newAddress();
    const sessions: string[] = [];
    for (let user = 0; user < 6; user += 1) sessions.push(await login());

    const responses = await Promise.all(sessions.map((token) => refresh(token, office)));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    // The anonymous limit itself still holds on other routes from that address.
    const others = await Promise.all(Array.from({ length: 4 }, () => gateway.call('/auth/password-reset', { body: { email: 'nobody@example.com' }, headers: from(office) })));
    expect(others.map((response) => response.status).sort()).toEqual([202, 202, 202, 429]);
  });

  it('limits one session to its own number of refreshes per hour, whatever the address, and leaves other sessions alone', async () => {
    let token = await login();
    for (let renewal = 0; renewal < 3; renewal += 1) {
      const response = await refresh(token, newAddress());
      expect(response.status).toBe(200);
      token = ((await response.json()) as { refreshToken: string }).refreshToken;
    }

    const refused = await refresh(token, newAddress());
    const otherSession = await refresh(await login(), newAddress());

    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ statusCode: 429 });
    expect(otherSession.status).toBe(200);
  });

  it('refuses a session older than SESSION_MAX_DAYS with 401 however recently it was renewed', async () => {
    const first = await login();
    const renewed = await refresh(first, newAddress());
    expect(renewed.status).toBe(200);
    const { refreshToken } = (await renewed.json()) as { refreshToken: string };
    // The session began 31 days ago; its latest token was issued just now and is far from expiring.
    await gateway.ticket.dataSource.query(
      `UPDATE helpdesk.refresh_tokens SET created_at = created_at - interval '31 days'
       WHERE family_id = (SELECT family_id FROM helpdesk.refresh_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')) AND rotated_at IS NOT NULL`,
      [first],
    );

    const response = await refresh(refreshToken, newAddress());

    expect(response.status).toBe(401);
  });

  it('limits failed refreshes per IP, counted before the token is checked: a parallel burst of guesses is cut at the limit, then even a valid token from there waits', async () => {
    const guesser = newAddress();
    const guesses = await Promise.all(Array.from({ length: 10 }, (_, index) => refresh(`guessed-token-${index}-${'x'.repeat(40)}`, guesser)));

    expect(guesses.map((response) => response.status).sort()).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
    const refused = guesses.find((response) => response.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await refused.json()).toMatchObject({ statusCode: 429, message: expect.stringMatching(/^Too many failed token refreshes from this address: try again in \d+ seconds$/) });
    expect((await refresh(await login(), guesser)).status).toBe(429);
    expect((await refresh(await login(), newAddress())).status).toBe(200);
  });

  it('does not count successful refreshes against the address', async () => {
    const office = newAddress();
    const statuses: number[] = [];
    for (let session = 0; session < 10; session += 1) statuses.push((await refresh(await login(), office)).status);

    expect(statuses).toEqual(Array.from({ length: 10 }, () => 200));
    expect((await refresh('one-wrong-token-after-all-that', office)).status).toBe(401);
  });
});
