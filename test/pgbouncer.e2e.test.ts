import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { MailboxView, MailboxWithTokenView } from '@helpdesk/contracts';
import {
  createTestDatabase,
  deleteRedisKeys,
  gatewayApi,
  migrateBuilt,
  ROOT,
  SERVICE_SPECS,
  ServiceProcess,
  startPgBouncer,
  TestImapServer,
  TestNatsServer,
  waitFor,
  type ImapAccount,
  type PgBouncerPool,
} from '@helpdesk/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink, type ReceivedMail } from '../apps/notification/src/testing/smtp-sink.js';

const APP_BASE_URL = 'https://desk.example.test';
const spec = (name: string) => SERVICE_SPECS.find((candidate) => candidate.name === name)!;
const account: ImapAccount = { user: 'support@pooled.test', password: 'pooled-secret' };
// Fewer server connections than the services have clients: every transaction may land on another
// server connection than the last one of the same client, which is what breaks session state.
const SERVER_CONNECTIONS = 3;

/**
 * The services as real processes, reaching PostgreSQL only through a PgBouncer in transaction mode
 * (as on Kubernetes behind CloudNativePG's Pooler): migrations, ticket creation and comments with
 * the outbox relay, outbound mail, and the inbound pipeline read by two notification replicas that
 * share each mailbox by lease rows (no session advisory lock survives the pooler).
 */
describe('the platform through PgBouncer in transaction mode', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pooler: PgBouncerPool;
  let nats: TestNatsServer;
  let sink: SmtpSink;
  let imap: TestImapServer;
  let env: Record<string, string>;
  let direct: pg.Client;
  let gateway: ServiceProcess;
  const notifications: ServiceProcess[] = [];
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('pgbouncer');
    pooler = await startPgBouncer({ databaseName: database.name, poolSize: SERVER_CONNECTIONS });
    nats = await TestNatsServer.start({ serviceUsers: true });
    sink = await SmtpSink.start();
    imap = await TestImapServer.start([account]);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      // With DB_PREPARED_STATEMENTS=false: the test PgBouncer keeps no prepared statement across server connections.
      ...pooler.env,
      SECRET_KEY: randomBytes(24).toString('hex'),
      QUEUE_PREFIX: `pgbouncer-e2e-${randomBytes(4).toString('hex')}`,
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(sink.port),
      DEFAULT_FROM_EMAIL: 'Desk <support@desk.example.test>',
      APP_BASE_URL,
      SIGNUP_ENABLED: 'true',
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // Leases of 3 s: a killed replica's mailbox moves within a few seconds.
      MAILBOX_SYNC_SECONDS: '1',
      IMAP_POLL_SECONDS: '5',
      EVENTS_STREAM_RETRY_MS: '100',
    };
    migrateBuilt(['ticket', 'notification'], env);
    direct = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: database.name });
    await direct.connect();
    for (const name of ['ticket', 'gateway', 'notification', 'notification'] as const) {
      const service = await ServiceProcess.start(spec(name), { ...env, NATS_URL: nats.urlFor(name) });
      services.push(service);
      if (name === 'notification') notifications.push(service);
    }
    // Generous: four services start at once on a shared machine.
    await Promise.all(services.map((service) => service.waitUntilReady(90_000)));
    gateway = services[1]!;
  }, 180_000);

  afterAll(async () => {
    for (const service of services) await service.kill();
    await direct?.end();
    await imap?.close();
    await sink?.stop();
    await nats?.destroy();
    await pooler?.stop();
    await database?.drop();
    if (env) await deleteRedisKeys(env.QUEUE_PREFIX!);
  });

  const api = gatewayApi(() => gateway.url);

  const mailTo = (address: string, subject: RegExp) =>
    waitFor<ReceivedMail>(`a mail "${subject}" to ${address}`, async () => sink.mailsTo(address).find((mail) => subject.test(mail.subject)), 30_000);

  async function signup(): Promise<{ token: string; email: string }> {
    const email = `admin-${randomBytes(3).toString('hex')}@desk.example.test`;
    const signedUp = await api('POST', '/auth/signup', { organizationName: `Pooled ${randomBytes(2).toString('hex')}`, name: 'Ada Admin', email, password: 'correct horse battery staple' });
    expect(signedUp.status).toBe(201);
    const mail = await mailTo(email, /^Verify the email address of /);
    const token = new RegExp(`${APP_BASE_URL}/verify-email\\?token=([\\w-]+)`).exec(mail.text)?.[1];
    expect((await api('POST', '/auth/verify-email', { token })).status).toBe(204);
    return { token: signedUp.body.accessToken, email };
  }

  it('runs the migrations through it, and every service reaches PostgreSQL only through it', async () => {
    // Applied in beforeAll through the pooler; a second run finds nothing to do.
    for (const schema of ['ticket', 'notification']) {
      const again = spawnSync(process.execPath, [`${ROOT}/dist/apps/${schema}/src/database/migrate.js`, 'up'], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect(again.stderr).toBe('');
      expect(again.stdout).toContain('up to date');
    }
    const { rows } = await direct.query(`SELECT count(*)::int AS applied FROM notification.migrations WHERE name = 'MailboxReaderLeases1766500000000'`);
    expect(rows[0].applied).toBe(1);

    const pools = await pooler.show('POOLS');
    expect(pools.find((pool) => pool.database === database.name)).toMatchObject({ pool_mode: 'transaction' });
    const clients = await pooler.show('CLIENTS');
    const applications = new Set(clients.filter((client) => client.database === database.name).map((client) => client.application_name));
    expect(applications).toEqual(new Set(['helpdesk-ticket', 'helpdesk-notification']));
    // PostgreSQL sees the pooler's few server connections, never a service's own.
    const { rows: backends } = await direct.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'helpdesk-%'`, [database.name]);
    expect(backends[0].n).toBeLessThanOrEqual(SERVER_CONNECTIONS);
  });

  it('creates tickets and comments at once from many requests, relays their events and mails the requesters', async () => {
    const admin = await signup();
    const requesters = Array.from({ length: 12 }, (_, index) => `customer-${index}-${randomBytes(3).toString('hex')}@example.com`);
    const created = await Promise.all(
      requesters.map((requesterEmail, index) => api('POST', '/tickets', { subject: `Pooled question ${index}`, description: 'Through the pooler', requesterEmail }, admin.token)),
    );
    expect(created.map((response) => response.status)).toEqual(requesters.map(() => 201));
    // Each number once: the per-organization counter holds across server connections.
    expect(new Set(created.map((response) => response.body.number)).size).toBe(requesters.length);

    const comments = await Promise.all(created.map((ticket) => api('POST', `/tickets/${ticket.body.id}/comments`, { body: `Answer to #${ticket.body.number}` }, admin.token)));
    expect(comments.map((response) => response.status)).toEqual(requesters.map(() => 201));

    for (const [index, requester] of requesters.entries()) {
      await mailTo(requester, new RegExp(`^We received your request #${created[index]!.body.number}`));
      const reply = await mailTo(requester, /^Re: /);
      expect(reply.text).toContain(`Answer to #${created[index]!.body.number}`);
    }
    // The relay published every event once: nothing is left in the outbox.
    await waitFor('the outbox drained', async () => (await direct.query(`SELECT count(*)::int AS n FROM helpdesk.outbox WHERE published_at IS NULL`)).rows[0].n === 0 || undefined);
    // Exactly one confirmation per ticket, across both notification replicas.
    for (const requester of requesters) expect(sink.mailsTo(requester).filter((mail) => mail.subject.startsWith('We received your request'))).toHaveLength(1);
  });

  it('reads a mailbox on one of two notification replicas, the other takes it over when that one is killed, and reading pauses while the pooler is gone', async () => {
    const admin = await signup();
    const created = await api('POST', '/mailboxes', { address: account.user, imap: { host: imap.host, port: imap.port, tls: false, user: account.user, password: account.password } }, admin.token);
    expect(created.status).toBe(201);
    const mailbox = created.body as MailboxWithTokenView;
    const view = async () => (await api('GET', `/mailboxes/${mailbox.id}`, undefined, admin.token)).body as MailboxView;
    const holder = async () => ((await direct.query(`SELECT holder FROM notification.mailbox_reader_leases WHERE mailbox_id = $1 AND expires_at > now()`, [mailbox.id])).rows[0]?.holder as string | undefined);
    const readerOf = (lease: string) => notifications.find((service) => lease.split(':')[1] === String(service.pid));
    const mail = (id: string) => [`From: Customer <customer-${id}@example.test>`, `To: ${account.user}`, `Subject: Pooled inbound ${id}`, `Message-ID: <${id}@example.test>`, '', `Body ${id}`, ''].join('\r\n');

    const firstLease = await waitFor('a replica holding the mailbox lease', holder);
    const owner = readerOf(firstLease)!;
    expect(owner).toBeDefined();
    await imap.append(account, mail(`first-${randomBytes(3).toString('hex')}`));
    await waitFor('the first mail as a ticket', async () => (await view()).status.counts.ticketsCreated === 1 || undefined, 30_000);
    // Many syncs (every second on each replica) went by: the lease never moved.
    expect(await holder()).toBe(firstLease);

    await owner.kill();
    const nextLease = await waitFor('the other replica taking the expired lease', async () => {
      const lease = await holder();
      return lease && lease !== firstLease ? lease : undefined;
    }, 30_000);
    const survivor = readerOf(nextLease)!;
    expect(survivor).toBeDefined();
    expect(survivor).not.toBe(owner);
    expect(survivor.running).toBe(true);

    await imap.append(account, mail(`second-${randomBytes(3).toString('hex')}`));
    await waitFor('the second mail as a ticket', async () => (await view()).status.counts.ticketsCreated === 2 || undefined, 30_000);
    expect((await view()).status.counts).toMatchObject({ received: 2, ticketsCreated: 2, duplicates: 0, failures: 0 });

    // The pooler gone: the survivor cannot renew, and stops reading before its lease could be taken.
    const port = pooler.port;
    await pooler.stop();
    await waitFor('the survivor stopping its readers', async () => survivor.output.includes('Mailbox leases not renewed for two syncs') || undefined, 30_000);
    // Back on the same port: the leases are taken again and the mail left meanwhile is read.
    pooler = await startPgBouncer({ databaseName: database.name, port, poolSize: SERVER_CONNECTIONS });
    await imap.append(account, mail(`third-${randomBytes(3).toString('hex')}`));
    await waitFor('the third mail as a ticket', async () => (await view().catch(() => undefined))?.status.counts.ticketsCreated === 3 || undefined, 60_000);
    expect((await view()).status.counts).toMatchObject({ received: 3, ticketsCreated: 3, duplicates: 0 });
    expect(readerOf((await holder())!)).toBe(survivor);
  });

  it('would break named prepared statements (hence DB_PREPARED_STATEMENTS=false without max_prepared_statements)', async () => {
    const single = await startPgBouncer({ databaseName: database.name, poolSize: 1 });
    const clients = [1, 2].map(() => new pg.Client({ host: single.host, port: single.port, user: process.env.DB_USER || 'postgres', database: database.name }));
    try {
      for (const client of clients) await client.connect();
      await clients[0]!.query({ name: 'probe', text: 'SELECT 1 AS one' });
      // The second client lands on the same (only) server connection, where the name is taken already.
      await expect(clients[1]!.query({ name: 'probe', text: 'SELECT 1 AS one' })).rejects.toThrow(/prepared statement "probe" already exists/);
      // Unnamed, as preparedQuery runs with DB_PREPARED_STATEMENTS=false, both are fine.
      for (const client of clients) expect((await client.query({ text: 'SELECT $1::int AS one', values: [1] })).rows).toEqual([{ one: 1 }]);
    } finally {
      for (const client of clients) await client.end().catch(() => undefined);
      await single.stop();
    }
  });
});
