import { freePort } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

const PASSWORD = 'correct horse battery staple';

/**
 * Every limit of DESIGN.md section 8 (and the refresh limit of section 17) reached through one
 * gateway replica holds on the other: the counters are shared (Redis; PostgreSQL for refresh).
 * Limits are tiny so that each test needs only a handful of requests.
 */
describe('rate limits shared by two gateway replicas', () => {
  let a: GatewayHarness;
  let b: GatewayHarness;
  let admin: SignedUpAdmin;
  let lastOctet = 0;
  /** The gateways trust X-Forwarded-For here, so each test can call from an address of its own. */
  const newAddress = () => ({ 'x-forwarded-for': `192.0.2.${(lastOctet += 1)}` });

  beforeAll(async () => {
    a = await GatewayHarness.start(
      'limits-replicas',
      {
        TRUST_PROXY: 'true',
        NATS_REQUEST_TIMEOUT_MS: '30000',
        RATE_LIMIT_ANON_PER_HOUR: '3',
        RATE_LIMIT_AUTH_PER_HOUR: '3',
        RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '3',
        RATE_LIMIT_PASSWORD_RESET_PER_HOUR: '2',
        RATE_LIMIT_REFRESH_FAILURES_PER_IP_PER_MINUTE: '3',
        RATE_LIMIT_API_TOKEN_FAILURES_PER_IP_PER_MINUTE: '3',
      },
      { RATE_LIMIT_REFRESH_PER_SESSION_PER_HOUR: '2' },
    );
    b = await a.startReplica();
    admin = await a.signup('Replicas Desk');
  });

  afterAll(() => a?.stop());

  /** Statuses of requests made in turn through A, B, A, B… */
  async function alternating(count: number, call: (gateway: GatewayHarness, index: number) => Promise<Response>): Promise<number[]> {
    const statuses: number[] = [];
    for (let index = 0; index < count; index += 1) statuses.push((await call(index % 2 === 0 ? a : b, index)).status);
    return statuses;
  }

  it('anonymous requests per IP per hour', async () => {
    const headers = newAddress();
    expect(await alternating(5, (gateway) => gateway.call('/tickets', { headers }))).toEqual([401, 401, 401, 429, 429]);
  });

  it('authenticated requests per user per hour, whatever the address', async () => {
    const agent = await a.addUser(admin.organization.id, 'agent');
    expect(await alternating(5, (gateway) => gateway.call('/me', { token: agent.accessToken, headers: newAddress() }))).toEqual([200, 200, 200, 429, 429]);
  });

  it('API tokens per token, apart from their creator, whatever the address', async () => {
    const creator = await a.addUser(admin.organization.id, 'admin');
    const created = await a.call('/api-tokens', { token: creator.accessToken, body: { name: 'cron', scopes: ['tickets:read'] }, headers: newAddress() });
    const { token } = (await created.json()) as { token: string };
    expect(await alternating(5, (gateway) => gateway.call('/tickets', { token, headers: newAddress() }))).toEqual([200, 200, 200, 429, 429]);
    expect((await a.call('/me', { token: creator.accessToken, headers: newAddress() })).status).toBe(200);
  });

  it('invalid API tokens per IP: then any token from that address is refused before its lookup', async () => {
    const creator = await a.addUser(admin.organization.id, 'admin');
    const created = await a.call('/api-tokens', { token: creator.accessToken, body: { name: 'valid', scopes: ['tickets:read'] }, headers: newAddress() });
    const { token } = (await created.json()) as { token: string };
    const headers = newAddress();
    const statuses = await alternating(5, (gateway, index) => gateway.call('/tickets', { token: `hdp_${String(index).repeat(43)}`, headers }));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const refused = await b.call('/tickets', { token, headers });
    expect({ status: refused.status, retryAfter: Number(refused.headers.get('retry-after')) > 0 }).toEqual({ status: 429, retryAfter: true });
    expect((await a.call('/tickets', { token, headers: newAddress() })).status).toBe(200);
  });

  it('failed logins per IP, whatever the email (the wider ceiling)', async () => {
    const headers = newAddress();
    const statuses = await alternating(5, (gateway, index) => gateway.call('/auth/login', { body: { email: `guess-${index}@example.com`, password: 'wrong password guess' }, headers }));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('password-reset requests per IP per hour', async () => {
    const headers = newAddress();
    const statuses = await alternating(4, (gateway, index) => gateway.call('/auth/password-reset', { body: { email: `reset-${index}@example.com` }, headers }));
    expect(statuses).toEqual([202, 202, 429, 429]);
  });

  it('refreshes per session per hour', async () => {
    const login = await a.call('/auth/login', { body: { email: admin.user.email, password: PASSWORD }, headers: newAddress() });
    let { refreshToken } = (await login.json()) as { refreshToken: string };
    const statuses = await alternating(4, async (gateway) => {
      const response = await gateway.call('/auth/refresh', { body: { refreshToken }, headers: newAddress() });
      if (response.status === 200) ({ refreshToken } = (await response.json()) as { refreshToken: string });
      return response;
    });
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('failed refreshes (invalid tokens) per IP', async () => {
    const headers = newAddress();
    const statuses = await alternating(5, (gateway, index) => gateway.call('/auth/refresh', { body: { refreshToken: `guessed-${index}-${'y'.repeat(40)}` }, headers }));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});

/**
 * What each limit does while its replica cannot reach Redis (pointed at a port nobody listens on;
 * the machine's Redis is never touched): the hourly limits fail open, so the API stays up; the
 * failed-login and password-reset limits fail closed (503), since they guard passwords and
 * mailboxes; the refresh limit lives in PostgreSQL and is unaffected. docs/security.md says the same.
 */
describe('rate limits while Redis is unreachable', () => {
  let healthy: GatewayHarness;
  let cutOff: GatewayHarness;
  let admin: SignedUpAdmin;

  beforeAll(async () => {
    healthy = await GatewayHarness.start('limits-no-redis', { NATS_REQUEST_TIMEOUT_MS: '30000', RATE_LIMIT_ANON_PER_HOUR: '1000', RATE_LIMIT_AUTH_PER_HOUR: '1000' });
    cutOff = await healthy.startReplica({ REDIS_URL: `redis://127.0.0.1:${await freePort()}/0` });
    admin = await healthy.signup('Outage Desk');
  });

  afterAll(() => healthy?.stop());

  it('serves anonymous and authenticated requests without their hourly limits (fail open)', async () => {
    expect((await cutOff.call('/me', { token: admin.accessToken })).status).toBe(200);
    expect((await cutOff.call('/tickets')).status).toBe(401);
  });

  it('answers logins and password-reset requests 503 (fail closed), never letting one through uncounted', async () => {
    const login = await cutOff.call('/auth/login', { body: { email: admin.user.email, password: PASSWORD } });
    const reset = await cutOff.call('/auth/password-reset', { body: { email: admin.user.email } });

    expect(login.status).toBe(503);
    expect(reset.status).toBe(503);
  });

  it('still refreshes sessions: the per-session limit is counted in PostgreSQL', async () => {
    const login = await healthy.call('/auth/login', { body: { email: admin.user.email, password: PASSWORD } });
    const { refreshToken } = (await login.json()) as { refreshToken: string };

    expect((await cutOff.call('/auth/refresh', { body: { refreshToken } })).status).toBe(200);
  });

  it('answers a wrong refresh token 401, not 503: the per-IP failure limit fails open (a token cannot be guessed; it only sheds load)', async () => {
    expect((await cutOff.call('/auth/refresh', { body: { refreshToken: `wrong-${'z'.repeat(40)}` } })).status).toBe(401);
  });
});
