import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { EVENTS_STREAM, eventSubject } from '@helpdesk/contracts';
import { migrateBuilt, SERVICE_SPECS, ServiceProcess, STACK_SECRET_KEY, TestNatsServer, TestPostgresServer, TestRedisServer, freePort, waitFor } from '@helpdesk/testing';
import { FaultSmtpSink } from './smtp-sink.js';

/**
 * Faults under a steady stream of ticket creations and public replies: the ticket service killed,
 * NATS, Redis and PostgreSQL restarted, the SMTP server down for a minute. Every fault is injected
 * into a server this file started itself. Afterwards every acknowledged request must exist with
 * exactly one event, one realtime push and one mail: no losses, no duplicates.
 */

const SMTP_OUTAGE_MS = 60_000;
// Equal-jitter retries at this base wait at least 3.5 x 20 s = 70 s in all: longer than the outage.
const MAIL_RETRY_BASE_DELAY_MS = 20_000;
const LOAD_WORKERS = 3;

interface Outcome {
  kind: 'ticket' | 'comment';
  /** Seconds since the drill started, when the answer came. */
  at: number;
  status: number;
  ms: number;
  body: string;
  ticketId?: string;
  number?: number;
  requester?: string;
}

const SERVICES = ['ticket', 'gateway', 'notification', 'realtime'] as const;
type ServiceName = (typeof SERVICES)[number];

describe('faults under steady load', () => {
  let postgres: TestPostgresServer;
  let redis: TestRedisServer;
  let nats: TestNatsServer;
  let smtp: FaultSmtpSink;
  let env: Record<string, string>;
  const services = new Map<ServiceName, ServiceProcess>();
  let admin: { token: string; orgId: string };
  let socket: Socket;
  const pushed = new Map<string, number>();
  const outcomes: Outcome[] = [];
  const timeline: string[] = [];
  let loadRunning = false;
  let load: Promise<void>;
  const startedAt = Date.now();

  const elapsedSeconds = () => Math.round((Date.now() - startedAt) / 1000);
  const note = (what: string) => timeline.push(`${String(elapsedSeconds()).padStart(4)} s  ${what}`);
  const gateway = () => services.get('gateway')!;

  async function startService(name: ServiceName): Promise<ServiceProcess> {
    const service = await ServiceProcess.start(SERVICE_SPECS.find((spec) => spec.name === name)!, { ...env, NATS_URL: nats.urlFor(name) });
    services.set(name, service);
    await service.waitUntilReady(60_000);
    return service;
  }

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any; ms: number }> {
    const sentAt = Date.now();
    try {
      const response = await fetch(`${gateway().url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, text, json, ms: Date.now() - sentAt };
    } catch (error) {
      // A hang (no answer in 15 s) or a dropped connection: recorded as status 0 and reported.
      return { status: 0, text: String(error), json: undefined, ms: Date.now() - sentAt };
    }
  }

  /** One worker: creates a ticket for a new requester, and replies publicly on every other one. */
  async function worker(id: number): Promise<void> {
    let sequence = 0;
    while (loadRunning) {
      sequence += 1;
      const requester = `req-${id}-${sequence}-${randomBytes(3).toString('hex')}@customer.test`;
      const created = await call('POST', '/api/v1/tickets', { subject: `Fault drill ${id}.${sequence}`, description: 'The printer is jammed again.', requesterEmail: requester });
      outcomes.push({ kind: 'ticket', at: elapsedSeconds(), status: created.status, ms: created.ms, body: created.text.slice(0, 300), ticketId: created.json?.id, number: created.json?.number, requester });
      if (created.status === 201 && sequence % 2 === 0) {
        const reply = await call('POST', `/api/v1/tickets/${created.json.id}/comments`, { body: `We are on it (${id}.${sequence}).`, internal: false });
        outcomes.push({ kind: 'comment', at: elapsedSeconds(), status: reply.status, ms: reply.ms, body: reply.text.slice(0, 300), ticketId: created.json.id, requester });
      }
      await new Promise((resolve) => setTimeout(resolve, created.status === 201 ? 50 : 250));
    }
  }

  beforeAll(async () => {
    [postgres, redis, nats] = await Promise.all([TestPostgresServer.start(), TestRedisServer.start(), TestNatsServer.start({ serviceUsers: true })]);
    smtp = await FaultSmtpSink.start(await freePort());
    const maintenance = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'postgres', database: 'postgres' });
    await maintenance.connect();
    await maintenance.query('CREATE DATABASE helpdesk');
    await maintenance.end();
    env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      SECRET_KEY: STACK_SECRET_KEY,
      ALLOWED_HOSTS: '127.0.0.1,localhost',
      DB_HOST: '127.0.0.1',
      DB_PORT: String(postgres.port),
      DB_NAME: 'helpdesk',
      REDIS_URL: redis.url,
      NATS_URL: nats.url,
      QUEUE_PREFIX: 'faults',
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(smtp.port),
      DEFAULT_FROM_EMAIL: 'Helpdesk <support@faults.test>',
      MAIL_RETRY_BASE_DELAY_MS: String(MAIL_RETRY_BASE_DELAY_MS),
      RATE_LIMIT_ANON_PER_HOUR: '1000000',
      RATE_LIMIT_AUTH_PER_HOUR: '1000000',
      SIGNUP_ENABLED: 'true',
      ORG_MAIL_PER_HOUR: '1000000',
    };
    migrateBuilt(['ticket', 'notification'], env);
    for (const name of SERVICES) await startService(name);

    const signup = await fetch(`${gateway().url}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Fault Drill', name: 'Drill Admin', email: 'admin@faults.test', password: 'correct horse battery staple' }),
    });
    const body = (await signup.json()) as any;
    admin = { token: body.accessToken, orgId: body.organization.id };
    // As if the admin had followed the verification link: an unverified organization mails only its staff.
    const database = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'postgres', database: 'helpdesk' });
    await database.connect();
    await database.query('UPDATE helpdesk.organizations SET email_verified_at = now() WHERE id = $1', [admin.orgId]);
    await database.end();

    socket = io(services.get('realtime')!.url, { path: '/socket.io', transports: ['websocket'], auth: { token: admin.token } });
    socket.on('ticket.created', (envelope: { id: string }) => pushed.set(envelope.id, (pushed.get(envelope.id) ?? 0) + 1));
    await waitFor('the realtime socket to connect', async () => socket.connected, 20_000);

    loadRunning = true;
    load = Promise.all(Array.from({ length: LOAD_WORKERS }, (_, id) => worker(id))).then(() => undefined);
    note('load started');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }, 180_000);

  afterAll(async () => {
    loadRunning = false;
    await load;
    socket?.close();
    await Promise.all([...services.values()].map((service) => service.kill()));
    await smtp?.stop();
    await Promise.all([postgres?.destroy(), redis?.destroy(), nats?.destroy()]);
  });

  it('survives the ticket service killed with SIGKILL: requests meanwhile get 503, never a hang or a 500', async () => {
    const ticket = services.get('ticket')!;
    await ticket.kill();
    note('ticket service killed (SIGKILL)');
    const killedAt = outcomes.length;
    await waitFor('requests to hit the outage', async () => outcomes.slice(killedAt).some((outcome) => outcome.status !== 201), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await startService('ticket');
    note('ticket service restarted and ready');
    const duringOutage = outcomes.slice(killedAt).filter((outcome) => outcome.status !== 201);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const outcome of duringOutage) {
      expect([503, 504], outcome.body).toContain(outcome.status);
      expect(outcome.body).not.toMatch(/ at .+\.js:\d+|stack/i);
    }
    await waitFor('tickets to be created again', async () => outcomes.slice(-3).every((outcome) => outcome.status === 201), 30_000);
  }, 120_000);

  it('survives NATS restarted: the services reconnect and requests succeed again', async () => {
    await nats.stop();
    note('NATS stopped');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await nats.resume();
    note('NATS started again');
    const resumedAt = outcomes.length;
    await waitFor('tickets to be created again after NATS came back', async () => outcomes.slice(resumedAt).filter((outcome) => outcome.status === 201).length >= 5, 60_000);
    for (const name of SERVICES) await services.get(name)!.waitUntilReady(30_000);
    note('every service ready again');
  }, 120_000);

  it('keeps mails while the SMTP server is down and Redis restarts under the queued mails', async () => {
    await smtp.stop();
    note('SMTP server down');
    const downAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await redis.stop();
    note('Redis stopped');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await redis.resume();
    note('Redis started again');
    for (const name of SERVICES) await services.get(name)!.waitUntilReady(30_000);

    // PostgreSQL while mail is still held back, so the two recoveries overlap as they would in an incident.
    await postgres.stop();
    note('PostgreSQL stopped');
    const ticket = services.get('ticket')!;
    await waitFor('the ticket service to report not ready', async () => (await ticket.get('/health/ready').catch(() => ({ status: 0 }))).status === 503, 20_000);
    note('ticket service readiness: 503');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await postgres.resume();
    note('PostgreSQL started again');
    for (const name of SERVICES) await services.get(name)!.waitUntilReady(60_000);
    note('every service ready again on its own');

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, SMTP_OUTAGE_MS - (Date.now() - downAt))));
    await smtp.resume();
    note('SMTP server up again');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    loadRunning = false;
    await load;
    note('load stopped');
  }, 240_000);

  it('loses nothing and duplicates nothing: tickets, events, realtime pushes, mails', async () => {
    const created = outcomes.filter((outcome) => outcome.kind === 'ticket' && outcome.status === 201);
    const replied = outcomes.filter((outcome) => outcome.kind === 'comment' && outcome.status === 201);
    const unexpected = outcomes.filter((outcome) => ![201, 503, 504].includes(outcome.status));

    // Every acknowledged ticket exists (read back from the database directly, not through the API).
    const database = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'postgres', database: 'helpdesk' });
    await database.connect();
    const { rows } = await database.query<{ id: string }>('SELECT id FROM helpdesk.tickets WHERE id = ANY($1::uuid[])', [created.map((outcome) => outcome.ticketId)]);
    const { rows: commentRows } = await database.query<{ count: string }>(`SELECT count(*) FROM helpdesk.comments WHERE ticket_id = ANY($1::uuid[])`, [replied.map((outcome) => outcome.ticketId)]);
    await database.end();
    const stored = new Set(rows.map((row) => row.id));

    // Exactly one ticket.created event per ticket in the stream (all of them: including tickets whose request got no 201),
    // read once the outbox relay has caught up with the last acknowledged tickets.
    const ticketIds = new Set(created.map((outcome) => outcome.ticketId!));
    let events = await countCreatedEvents(nats.url);
    await waitFor(
      'every acknowledged ticket to have its event in the stream',
      async () => {
        events = await countCreatedEvents(nats.url);
        return [...ticketIds].every((id) => events.byTicket.has(id));
      },
      60_000,
      1_000,
    ).catch(() => undefined);
    await waitFor('every event to be pushed to the realtime client', async () => [...events.byTicket.keys()].every((ticketId) => events.envelopeOf.get(ticketId)!.every((id) => pushed.has(id))), 60_000).catch(() => undefined);

    // One confirmation per acknowledged ticket and one reply mail per acknowledged public reply.
    const expectedMails = created.length + replied.length;
    const mailsTo = (requester: string) => smtp.mails.filter((mail) => mail.to.includes(requester));
    await waitFor(
      `${expectedMails} mails at the SMTP sink`,
      async () => created.every((outcome) => mailsTo(outcome.requester!).some((mail) => mail.subject.startsWith('We received'))) && replied.every((outcome) => mailsTo(outcome.requester!).some((mail) => mail.subject.startsWith('Re:'))),
      150_000,
      1_000,
    ).catch(() => undefined);

    const confirmations = new Map<string, number>();
    const replies = new Map<string, number>();
    for (const mail of smtp.mails) {
      const target = mail.subject.startsWith('We received') ? confirmations : mail.subject.startsWith('Re:') ? replies : undefined;
      for (const to of mail.to) target?.set(to, (target.get(to) ?? 0) + 1);
    }
    const table = {
      'requests sent': outcomes.length,
      'tickets acknowledged (201)': created.length,
      'replies acknowledged (201)': replied.length,
      'answered 503/504 during faults': outcomes.filter((outcome) => outcome.status === 503 || outcome.status === 504).length,
      'other statuses (must be 0)': unexpected.length,
      'tickets found afterwards': [...ticketIds].filter((id) => stored.has(id)).length,
      'replies found afterwards': Number(commentRows[0]!.count),
      'ticket.created events (tickets in stream)': events.byTicket.size,
      'duplicate events (must be 0)': [...events.byTicket.values()].filter((count) => count > 1).length,
      'realtime pushes (distinct events)': pushed.size,
      'duplicate pushes (must be 0)': [...pushed.values()].filter((count) => count > 1).length,
      'confirmation mails': [...confirmations.values()].reduce((sum, count) => sum + count, 0),
      'reply mails': [...replies.values()].reduce((sum, count) => sum + count, 0),
      'duplicate mails (must be 0)': [...confirmations.values(), ...replies.values()].filter((count) => count > 1).length,
      'lost tickets (must be 0)': [...ticketIds].filter((id) => !stored.has(id)).length,
      'lost events (must be 0)': [...ticketIds].filter((id) => !events.byTicket.has(id)).length,
      'lost pushes (must be 0)': [...events.envelopeOf.values()].flat().filter((id) => !pushed.has(id)).length,
      'lost mails (must be 0)': created.filter((outcome) => !confirmations.has(outcome.requester!)).length + replied.filter((outcome) => !replies.has(outcome.requester!)).length,
    };
    console.log(`\nfault drill timeline:\n${timeline.join('\n')}\n`);
    console.table(table);
    // The unexpected errors each service logged (the filter's `Errors` lines), to say what answered 500.
    if (unexpected.length) for (const [name, service] of services) console.log(`${name} unexpected errors:\n${service.output.split('\n').filter((line) => line.includes('"context":"Errors"')).slice(0, 5).join('\n')}`);
    if (unexpected.length) console.log('unexpected answers:', unexpected.map((outcome) => `${outcome.at} s ${outcome.kind} ${outcome.status} ${outcome.body.slice(0, 120)}`).join('\n'));

    expect(created.length).toBeGreaterThan(50);
    expect(unexpected).toEqual([]);
    expect(table['lost tickets (must be 0)']).toBe(0);
    expect(Number(commentRows[0]!.count)).toBeGreaterThanOrEqual(replied.length);
    expect(table['lost events (must be 0)']).toBe(0);
    expect(table['duplicate events (must be 0)']).toBe(0);
    expect(table['lost pushes (must be 0)']).toBe(0);
    expect(table['duplicate pushes (must be 0)']).toBe(0);
    expect(table['lost mails (must be 0)']).toBe(0);
    expect(table['duplicate mails (must be 0)']).toBe(0);
  }, 240_000);
});

/** Reads every ticket.created event of the stream: how many per ticket, and their envelope ids. */
async function countCreatedEvents(url: string): Promise<{ byTicket: Map<string, number>; envelopeOf: Map<string, string[]> }> {
  const connection: NatsConnection = await connect({ servers: url });
  try {
    const js = jetstream(connection);
    const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: eventSubject('ticket.created'), deliver_policy: DeliverPolicy.All });
    const info = await js.jetstreamManager().then((manager) => manager.streams.info(EVENTS_STREAM, { subjects_filter: eventSubject('ticket.created') }));
    const total = Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
    const byTicket = new Map<string, number>();
    const envelopeOf = new Map<string, string[]>();
    let read = 0;
    if (total === 0) return { byTicket, envelopeOf };
    const messages = await consumer.consume();
    for await (const message of messages) {
      const envelope = message.json<{ id: string; aggregateId: string }>();
      byTicket.set(envelope.aggregateId, (byTicket.get(envelope.aggregateId) ?? 0) + 1);
      envelopeOf.set(envelope.aggregateId, [...(envelopeOf.get(envelope.aggregateId) ?? []), envelope.id]);
      read += 1;
      if (read >= total) break;
    }
    return { byTicket, envelopeOf };
  } finally {
    await connection.close();
  }
}
