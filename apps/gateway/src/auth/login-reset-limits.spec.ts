import { waitFor } from '@helpdesk/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** Each call names its own address unless told (the gateway trusts X-Forwarded-For here), so per-IP counters stay apart. */
let lastOctet = 0;
const newAddress = () => `198.51.100.${(lastOctet += 1)}`;
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('login and password-reset limits count before they decide', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('auth-limits', {
      TRUST_PROXY: 'true',
      // Five argon2 checks at once on a busy test machine can outlast the default 5 s.
      NATS_REQUEST_TIMEOUT_MS: '30000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '5',
      RATE_LIMIT_PASSWORD_RESET_PER_HOUR: '3',
      RATE_LIMIT_PASSWORD_RESET_PER_EMAIL_PER_HOUR: '2',
    });
    admin = await gateway.signup('Limits Desk');
  });

  afterAll(() => gateway?.stop());

  const emailsOf = async (caller: TestCaller) =>
    (await gateway.ticket.dataSource.query('SELECT email FROM helpdesk.users WHERE id = $1', [caller.principal.userId])) as [{ email: string }];

  it('lets exactly 5 of 20 parallel wrong-password logins for one account through, and answers the rest 429 with Retry-After', async () => {
    const address = newAddress();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => gateway.call('/auth/login', { body: { email: admin.user.email, password: 'wrong password guess' }, headers: from(address) })),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    const refused = responses.find((response) => response.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  }, 60_000);

  it('lets exactly 3 of 10 parallel password-reset requests from one address through', async () => {
    const address = newAddress();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => gateway.call('/auth/password-reset', { body: { email: `someone-${index}@example.com` }, headers: from(address) })),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it('limits reset requests per email address whatever the caller’s address, known account or not', async () => {
    const [{ email: knownEmail }] = await emailsOf(await gateway.addUser(admin.organization.id, 'agent'));
    for (const email of [knownEmail, `nobody-${randomBytes(3).toString('hex')}@example.com`]) {
      const responses = await Promise.all(Array.from({ length: 4 }, () => gateway.call('/auth/password-reset', { body: { email }, headers: from(newAddress()) })));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([202, 202, 429, 429]);
    }
  });

  it('answers a reset request for a known and an unknown address with the same status and body', async () => {
    const known = await gateway.call('/auth/password-reset', { body: { email: admin.user.email }, headers: from(newAddress()) });
    const unknown = await gateway.call('/auth/password-reset', { body: { email: `nobody-${randomBytes(3).toString('hex')}@example.com` }, headers: from(newAddress()) });

    expect(known.status).toBe(202);
    expect(unknown.status).toBe(known.status);
    expect(await unknown.text()).toBe(await known.text());
  });

  it('answers a reset request before the account is looked up: the reset event is written after the answer', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const [{ email }] = await emailsOf(agent);
    const resetEventsFor = async () =>
      (await gateway.ticket.storedEvents()).filter(({ envelope }) => envelope.type === 'auth.password_reset_requested' && envelope.aggregateId === agent.principal.userId);

    // While the outbox is locked the ticket service cannot record the reset, so an answer that waited for it could not come.
    const blocker = gateway.ticket.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    let answered: Response;
    try {
      await blocker.query('LOCK TABLE helpdesk.outbox IN ACCESS EXCLUSIVE MODE');
      answered = await gateway.call('/auth/password-reset', { body: { email }, headers: from(newAddress()) });
      expect(await resetEventsFor()).toEqual([]);
    } finally {
      await blocker.commitTransaction();
      await blocker.release();
    }

    expect(answered.status).toBe(202);
    await waitFor('the reset event', async () => (await resetEventsFor()).length === 1);
  });
});
