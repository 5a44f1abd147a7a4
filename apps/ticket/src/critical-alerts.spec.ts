import { EVENTS_STREAM, subjects, type Principal } from '@helpdesk/contracts';
import { AdminAlertListener, waitFor } from '@helpdesk/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents } from './outbox/domain-events.js';
import { ensureEventsStream } from './outbox/events-stream.js';
import { TicketHarness } from './testing/ticket-harness.js';

/** The ticket service's critical log lines, as admin alerts on NATS (the notification service mails them: see its own tests). */
describe('critical errors of the ticket service reach the admins', () => {
  let harness: TicketHarness;
  let listener: AdminAlertListener;
  let nats: NatsConnection;
  let admin: Principal;

  beforeAll(async () => {
    harness = await TicketHarness.start('critical-alerts', { OUTBOX_STUCK_ALERT_SECONDS: '1' });
    listener = await AdminAlertListener.start(harness.nats.url);
    nats = await connect({ servers: harness.nats.url });
    ({ admin } = await harness.signup('Alerting Desk'));
  });

  afterAll(async () => {
    await nats?.close();
    await listener?.stop();
    await harness?.stop();
  });

  it('a command that fails unexpectedly answers INTERNAL and raises an alert with the request id, without the stack', async () => {
    const cls = harness.service.app.get(ClsService);
    // Schema drift (a migration half applied by hand) is a real cause of internal errors, and needs no test-only code path.
    await harness.dataSource.query('ALTER TABLE helpdesk.organizations RENAME TO organizations_drifted');
    const error = await cls
      .run(() => {
        cls.set(CLS_ID, 'drift-in-ticket');
        return harness.fail(subjects.organizations.get, { principal: admin });
      })
      .finally(() => harness.dataSource.query('ALTER TABLE helpdesk.organizations_drifted RENAME TO organizations'));

    const [alert] = await waitFor('the alert', async () => (listener.from('ticket', 'Errors').length > 0 ? listener.from('ticket', 'Errors') : undefined));
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'Internal error' });
    expect(alert).toMatchObject({ service: 'ticket', context: 'Errors', level: 'error', requestId: 'drift-in-ticket', message: 'relation "helpdesk.organizations" does not exist' });
  });

  it('an SLA job that fails for good raises one alert; its earlier failed attempt raises none', async () => {
    const connection = new Redis(harness.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('sla-timers', { connection, prefix: harness.config.QUEUE_PREFIX });
    try {
      // A job the enforcer cannot process (its ticket id is not a UUID), as a corrupted queue entry would be.
      const job = await queue.add('check', { kind: 'check', ticketId: 'not-a-uuid' }, { attempts: 2 });
      await waitFor('the job to fail for good', async () => (await queue.getJobState(job.id!)) === 'failed');
      const alerts = await waitFor('the alert', async () => (listener.from('ticket', 'SlaTimers').length > 0 ? listener.from('ticket', 'SlaTimers') : undefined));

      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.message).toContain(`SLA job check ${job.id} failed for good after 2 attempt(s)`);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('an outbox that cannot publish for longer than OUTBOX_STUCK_ALERT_SECONDS raises one alert, not one per retry, and the event still goes out', async () => {
    const streams = await jetstreamManager(nats);
    const attemptsOf = async (id: string) => Number(((await harness.dataSource.query('SELECT attempts FROM helpdesk.outbox WHERE id = $1', [id])) as Array<{ attempts: number }>)[0]!.attempts);
    // JetStream refuses every publish while the stream is missing (deleted by an operator, or lost with its storage).
    await streams.streams.delete(EVENTS_STREAM);
    const events = harness.service.app.get(DomainEvents);
    const event = await harness.dataSource.transaction((manager) => events.record(manager, { type: 'ticket.updated', orgId: admin.orgId, aggregateId: admin.orgId, actor: { system: 'test' }, data: {} }));
    events.committed();

    const [alert] = await waitFor('the stuck-outbox alert', async () => (listener.from('ticket', 'OutboxRelay').length > 0 ? listener.from('ticket', 'OutboxRelay') : undefined), 30_000);
    const attemptsAtAlert = await attemptsOf(event.id);
    await waitFor('two more failed attempts', async () => (await attemptsOf(event.id)) >= attemptsAtAlert + 2, 60_000);
    await ensureEventsStream(streams, { replicas: 1, retentionDays: 1, maxBytes: 1_048_576 });
    await waitFor('the event to be published', async () => (await harness.storedEvents()).some((stored) => stored.envelope.id === event.id), 60_000);

    expect(alert!.message).toMatch(/^CRITICAL: events are stuck in the outbox: publishing to JetStream has failed for \d+ s/);
    expect(listener.from('ticket', 'OutboxRelay')).toHaveLength(1);
  }, 150_000);
});
