import { EVENTS_STREAM, eventSubject, subjects, type EventEnvelope, type TicketView } from '@helpdesk/contracts';
import { migrateBuilt, SERVICE_SPECS, ServiceProcess, deleteRedisKeys, waitFor } from '@helpdesk/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../apps/notification/src/testing/smtp-sink.js';
import { TicketHarness } from '../apps/ticket/src/testing/ticket-harness.js';

const notificationSpec = SERVICE_SPECS.find((spec) => spec.name === 'notification')!;
const EVENTS = 200;
/** Mails the sink accepts before it stalls, so the worker is killed with mails in hand and more waiting. */
const ACCEPTED_BEFORE_KILL = 60;

describe('the notification worker killed with SIGKILL in the middle of its mail queue', () => {
  let ticket: TicketHarness;
  let sink: SmtpSink;
  let nats: NatsConnection;
  let env: Record<string, string>;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    ticket = await TicketHarness.start('notification-crash');
    sink = await SmtpSink.start();
    nats = await connect({ servers: ticket.nats.url });
    env = {
      NATS_URL: ticket.nats.url,
      DB_NAME: ticket.config.DB_NAME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: `notification-crash-${randomBytes(4).toString('hex')}`,
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(sink.port),
      DEFAULT_FROM_EMAIL: 'Helpdesk <support@crash.test>',
      MAIL_RETRY_BASE_DELAY_MS: '50',
      // A killed worker's mails in hand are taken over after this long (30 s by default).
      MAIL_LOCK_DURATION_MS: '2000',
      EVENTS_STREAM_RETRY_MS: '100',
    };
    migrateBuilt(['notification'], env);
  }, 60_000);

  afterAll(async () => {
    await worker?.kill();
    await nats?.close();
    await sink?.stop();
    await ticket?.stop();
    if (env) await deleteRedisKeys(env.QUEUE_PREFIX!);
  });

  const count = async (where: string, recipient: string) =>
    ((await ticket.dataSource.query(`SELECT count(*)::int AS n FROM notification.deliveries WHERE recipient = $1 AND ${where}`, [recipient])) as Array<{ n: number }>)[0]!.n;

  it('sends every queued mail exactly once after a restart', { timeout: 90_000 }, async () => {
    const { admin } = await ticket.signup('Crash Desk');
    const customer = await ticket.addUser(admin.orgId, 'customer');
    await ticket.dataSource.query(`UPDATE helpdesk.users SET notification_preferences = '{"newTicket": false}' WHERE id = $1`, [admin.userId]);
    const [{ email }] = (await ticket.dataSource.query(`SELECT email FROM helpdesk.users WHERE id = $1`, [customer.userId])) as Array<{ email: string }>;
    const opened = await ticket.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Crash', description: 'x' });
    // The real ticket.created plus a backlog of distinct events for the same ticket: one confirmation each.
    const js = jetstream(nats);
    for (let index = 0; index < EVENTS; index += 1) {
      const event: EventEnvelope = { id: randomUUID(), type: 'ticket.created', version: 1, occurredAt: new Date().toISOString(), orgId: admin.orgId, aggregateId: opened.id, actor: { userId: customer.userId, role: 'customer' }, data: { ticket: { id: opened.id } } };
      await js.publish(eventSubject('ticket.created'), JSON.stringify(event), { msgID: event.id });
    }
    const expected = EVENTS + 1;
    sink.holdAfter(ACCEPTED_BEFORE_KILL);

    worker = await ServiceProcess.start(notificationSpec, env);
    await worker.waitUntilReady();
    // Killed once every event is planned and acknowledged (the queue holds the rest), some mails are in hand, unanswered by the stalled server,
    // and every mail the server accepted is recorded as sent: the sent marks are group-committed, so they trail the server's answers by a batch.
    const manager = await jetstreamManager(nats);
    await waitFor(`every event planned, some mails in hand and the ${ACCEPTED_BEFORE_KILL} accepted ones recorded as sent`, async () => {
      const consumer = await manager.consumers.info(EVENTS_STREAM, 'notification');
      return consumer.num_pending === 0 && consumer.num_ack_pending === 0 && (await count('true', email)) === expected && sink.held > 0
        && (await count(`status = 'sent'`, email)) === ACCEPTED_BEFORE_KILL;
    }, 40_000);
    expect(sink.mailsTo(email)).toHaveLength(ACCEPTED_BEFORE_KILL);
    worker.signal('SIGKILL');
    await worker.exited(5_000);
    sink.release();

    worker = await ServiceProcess.start(notificationSpec, env);
    await worker.waitUntilReady();
    await waitFor(`all ${expected} mails sent`, async () => (await count(`status = 'sent'`, email)) === expected, 40_000);

    const received = sink.mailsTo(email).map((mail) => mail.headers.get('message-id'));
    expect(received).toHaveLength(expected);
    expect(new Set(received).size).toBe(expected);
    expect(await count(`status <> 'sent'`, email)).toBe(0);
  });
});
