import { CommandClient, loadConfig, MetricsService, runMigrations, startService, type RunningService } from '@helpdesk/common';
import { eventSubject, EVENTS_STREAM, subjects, type CommentView, type EventEnvelope, type Principal, type TicketView } from '@helpdesk/contracts';
import { deleteRedisKeys, freePort, waitFor } from '@helpdesk/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { notificationMigrations } from '../database/migrations/index.js';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import type { DeliveryStatus } from '../deliveries/delivery-log.js';
import { EVENTS_CONSUMER, EventConsumer } from '../events/event-consumer.js';
import { MailQueue } from '../mail/mail-queue.js';
import { notificationApp } from '../notification.app.js';
import { NotificationConfig } from '../notification.config.js';
import { WebhookEvents } from '../webhooks/webhook-events.js';
import { SmtpSink } from './smtp-sink.js';

export const FROM_DOMAIN = 'helpdesk.test';
export const APP_BASE_URL = 'https://help.example.test';

export interface DeliveryRow {
  id: string;
  event_id: string;
  recipient: string;
  template: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  message_id: string;
}

/**
 * The real ticket and notification services in this process, on a private nats-server, database
 * (both schemas migrated), Redis key prefixes and a local SMTP sink: events flow from ticket
 * commands through the outbox and JetStream into mails the sink receives.
 */
export class NotificationHarness {
  private readonly logLines: string[] = [];

  private constructor(
    readonly ticket: TicketHarness,
    /** False when the ticket service belongs to the caller (a gateway harness), which stops it. */
    private readonly ownsTicket: boolean,
    readonly sink: SmtpSink,
    readonly config: NotificationConfig,
    private readonly nats: NatsConnection,
    logs: PassThrough,
    readonly service: RunningService,
  ) {
    logs.on('data', (chunk: Buffer) => this.logLines.push(...chunk.toString().split('\n').filter(Boolean)));
  }

  static async start(label: string, overrides: Record<string, string> = {}, shared: { ticket?: TicketHarness } = {}): Promise<NotificationHarness> {
    const ticket = shared.ticket ?? (await TicketHarness.start(label));
    const sink = await SmtpSink.start();
    const config = loadConfig(NotificationConfig, {
      DB_NAME: ticket.config.DB_NAME,
      NATS_URL: ticket.nats.url,
      HOST: '127.0.0.1',
      NOTIFICATION_PORT: String(await freePort()),
      METRICS_PORT: '0',
      QUEUE_PREFIX: `test-${label}-mail-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'warn',
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(sink.port),
      DEFAULT_FROM_EMAIL: `Helpdesk <support@${FROM_DOMAIN}>`,
      APP_BASE_URL,
      MAIL_RETRY_BASE_DELAY_MS: '20',
      EVENTS_STREAM_RETRY_MS: '50',
      // Off unless a test asks for it: test files run at once, and 2525 is one port.
      INBOUND_SMTP_PORT: '0',
      ...overrides,
    });
    await runMigrations({ config, schema: NOTIFICATION_SCHEMA, migrations: notificationMigrations, direction: 'up' });
    const logs = new PassThrough();
    const service = await startService(notificationApp, config, { logStream: logs });
    await service.app.get(EventConsumer).ready;
    // The webhooks consumer starts with the events published after it exists: none a test makes may come before.
    await service.app.get(WebhookEvents).ready;
    const nats = await connect({ servers: ticket.nats.url });
    return new NotificationHarness(ticket, !shared.ticket, sink, config, nats, logs, service);
  }

  private get dataSource(): DataSource {
    return this.service.app.get(DataSource);
  }

  /**
   * A fresh organization with an admin, an agent and a customer; the customer's name and preferences,
   * and the preferences of the admin and agent (`staffPreferences`), are written as given.
   */
  async organizationWithCustomer(
    options: { organizationName?: string; customerName?: string; preferences?: Record<string, boolean>; staffPreferences?: Record<string, boolean> } = {},
  ) {
    const { admin, reply } = await this.ticket.signup(options.organizationName ?? `Acme ${randomBytes(2).toString('hex')}`);
    const agent = await this.ticket.addUser(admin.orgId, 'agent');
    const customer = await this.ticket.addUser(admin.orgId, 'customer');
    await this.ticket.dataSource.query(`UPDATE helpdesk.users SET name = $2, notification_preferences = $3 WHERE id = $1`, [
      customer.userId,
      options.customerName ?? 'Carla Customer',
      options.preferences ?? {},
    ]);
    await this.ticket.dataSource.query(`UPDATE helpdesk.users SET notification_preferences = $2 WHERE id = ANY($1::uuid[])`, [[admin.userId, agent.userId], options.staffPreferences ?? {}]);
    return {
      admin,
      agent,
      customer,
      adminEmail: await this.emailOf(admin.userId),
      agentEmail: await this.emailOf(agent.userId),
      customerEmail: await this.emailOf(customer.userId),
      organization: reply.organization,
    };
  }

  async emailOf(userId: string): Promise<string> {
    const [{ email }] = (await this.ticket.dataSource.query(`SELECT email FROM helpdesk.users WHERE id = $1`, [userId])) as Array<{ email: string }>;
    return email;
  }

  openTicket(principal: Principal, subject = 'My laptop will not boot', description = 'Black screen since this morning'): Promise<TicketView> {
    return this.ticket.send<TicketView>(subjects.tickets.create, { principal, subject, description });
  }

  comment(principal: Principal, ticketId: string, body: string, internal = false): Promise<CommentView> {
    return this.ticket.send<CommentView>(subjects.comments.create, { principal, ticketId, body, internal });
  }

  updateTicket(principal: Principal, ticketId: string, changes: Record<string, unknown>): Promise<TicketView> {
    return this.ticket.send<TicketView>(subjects.tickets.update, { principal, ticketId, changes });
  }

  notificationCommand<T>(subject: string, payload: object): Promise<T> {
    return this.service.app.get(CommandClient).request<T>(subject, payload);
  }

  /** Publishes an envelope again under another Nats-Msg-Id, so JetStream stores and delivers it a second time. */
  async publishDuplicate(envelope: EventEnvelope): Promise<void> {
    await jetstream(this.nats).publish(eventSubject(envelope.type), JSON.stringify(envelope), { msgID: `duplicate-${randomBytes(8).toString('hex')}` });
  }

  /** Publishes an event as the ticket service's outbox relay would (for events a test cannot cause quickly, such as SLA breaches). */
  async publishEvent(envelope: Omit<EventEnvelope, 'id' | 'version' | 'occurredAt'>): Promise<EventEnvelope> {
    const event: EventEnvelope = { id: randomUUID(), version: 1, occurredAt: new Date().toISOString(), ...envelope };
    await jetstream(this.nats).publish(eventSubject(event.type), JSON.stringify(event), { msgID: event.id });
    return event;
  }

  /**
   * Waits until nothing is left in flight: every outbox event published and acknowledged by the
   * notification consumer, no mail job waiting, running or delayed, and no delivery still open.
   * After this, what the sink holds is everything that will ever arrive.
   */
  async settled(): Promise<void> {
    const manager = await jetstreamManager(this.nats);
    const queue = this.service.app.get(MailQueue);
    await waitFor('events and mails to settle', async () => {
      const [{ unpublished }] = (await this.ticket.dataSource.query(`SELECT count(*)::int AS unpublished FROM helpdesk.outbox WHERE published_at IS NULL`)) as Array<{ unpublished: number }>;
      if (unpublished > 0) return false;
      const consumer = await manager.consumers.info(EVENTS_STREAM, EVENTS_CONSUMER);
      if (consumer.num_pending > 0 || consumer.num_ack_pending > 0) return false;
      if ((await queue.backlog()) > 0) return false;
      const [{ open }] = (await this.dataSource.query(`SELECT count(*)::int AS open FROM ${NOTIFICATION_SCHEMA}.deliveries WHERE status IN ('queued', 'failed')`)) as Array<{ open: number }>;
      return open === 0;
    });
  }

  async deliveriesTo(recipient: string): Promise<DeliveryRow[]> {
    return (await this.dataSource.query(`SELECT * FROM ${NOTIFICATION_SCHEMA}.deliveries WHERE recipient = $1 ORDER BY created_at`, [recipient])) as DeliveryRow[];
  }

  async waitForDelivery(recipient: string, status: DeliveryStatus): Promise<DeliveryRow> {
    return waitFor(`a ${status} delivery to ${recipient}`, async () => (await this.deliveriesTo(recipient)).find((row) => row.status === status));
  }

  async deadLetterCount(): Promise<number> {
    const counter = this.service.app.get(MetricsService).registry.getSingleMetric('helpdesk_mail_dead_letters_total') as Counter;
    return (await counter.get()).values.reduce((sum, value) => sum + value.value, 0);
  }

  /** JSON log lines the notification service wrote at warn level or above. */
  logs(): Array<Record<string, unknown>> {
    return this.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    await this.service.shutdown('test end');
    await this.nats.close();
    await this.sink.stop();
    if (this.ownsTicket) await this.ticket.stop();
    await deleteRedisKeys(this.config.QUEUE_PREFIX);
  }
}
