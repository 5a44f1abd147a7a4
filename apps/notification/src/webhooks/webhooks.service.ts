import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandClient, CommandError, decodeCursor, encodeCursor } from '@helpdesk/common';
import {
  PAGE_SIZE,
  subjects,
  WEBHOOK_ALL_EVENTS,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_REQUESTED_EVENT,
  WEBHOOK_TEST_EVENT,
  type CreateWebhookCommand,
  type EventEnvelope,
  type ListWebhookDeliveriesCommand,
  type ListWebhooksCommand,
  type MeReply,
  type Page,
  type Principal,
  type UpdateWebhookCommand,
  type WebhookDeliveryStatus,
  type TicketWebhookRequestedData,
  type WebhookDeliveryView,
  type WebhookExistsReply,
  type WebhookView,
} from '@helpdesk/contracts';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { DataEncryption } from '../mailboxes/data-encryption.js';
import { NotificationConfig } from '../notification.config.js';
import { isHostNameAllowed, parseAllowList, vetAddress, type WebhookAllowList } from './outbound/address-vetting.js';
import { systemResolver, type HostResolver } from './outbound/outbound-http-client.js';
import { checkWebhookUrl } from './outbound/webhook-url.js';

export const WEBHOOKS_TABLE = `${NOTIFICATION_SCHEMA}.webhooks`;
export const DELIVERIES_TABLE = `${NOTIFICATION_SCHEMA}.webhook_deliveries`;

export interface WebhookRow {
  id: string;
  organization_id: string;
  url: string;
  events: string[];
  secret_encrypted: string;
  description: string | null;
  ordered_per_ticket: boolean;
  active: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  failing_since: Date | null;
  last_delivery_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  organization_id: string;
  event_id: string;
  event_type: string;
  ticket_id: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  latency_ms: number | null;
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  redelivery_of: string | null;
  created_at: Date;
}

/** Every column of a delivery but its body (the log never answers the payload). */
const DELIVERY_COLUMNS =
  'id, webhook_id, organization_id, event_id, event_type, ticket_id, status, attempts, next_attempt_at, last_attempt_at, latency_ms, response_status, response_excerpt, error, redelivery_of, created_at';

const iso = (date: Date | null) => date?.toISOString() ?? null;

function toView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    orderedPerTicket: row.ordered_per_ticket,
    active: row.active,
    disabledAt: iso(row.disabled_at),
    disabledReason: row.disabled_reason,
    failingSince: iso(row.failing_since),
    lastDeliveryAt: iso(row.last_delivery_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toDeliveryView(row: DeliveryRow): WebhookDeliveryView {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    ...(row.ticket_id ? { ticketId: row.ticket_id } : {}),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    lastAttemptAt: iso(row.last_attempt_at),
    latencyMs: row.latency_ms,
    responseStatus: row.response_status,
    responseExcerpt: row.response_excerpt,
    error: row.error,
    ...(row.redelivery_of ? { redeliveryOf: row.redelivery_of } : {}),
    createdAt: row.created_at.toISOString(),
  };
}

/** The ticket an event is about, for ordering and the delivery log; undefined for events about no ticket. */
export function ticketOf(event: Pick<EventEnvelope, 'type' | 'aggregateId' | 'data'>): string | undefined {
  const ticket = (event.data as { ticket?: { id?: unknown } }).ticket;
  if (ticket && typeof ticket.id === 'string') return ticket.id;
  return event.type.startsWith('ticket.') ? event.aggregateId : undefined;
}

/** Event types as subscribed: known ones only, `*` alone, no repeats. */
function subscribedEvents(events: string[]): string[] {
  const unique = [...new Set(events)];
  if (unique.includes(WEBHOOK_ALL_EVENTS)) {
    if (unique.length > 1) throw new CommandError('VALIDATION', 'events "*" subscribes to every event and stands alone');
    return unique;
  }
  const unknown = unique.filter((type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0) throw new CommandError('VALIDATION', `events name an unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((type) => `"${type}"`).join(', ')}`);
  return unique;
}

/**
 * The organization's webhooks (DESIGN section 16), for its admins only; another organization's
 * webhook is "not found". Secrets are stored encrypted with DATA_ENCRYPTION_KEY and never answered.
 * Also writes the delivery rows the WebhookDeliverer sends: one per event and matching subscription.
 */
@Injectable()
export class Webhooks {
  private readonly logger = new Logger(Webhooks.name);
  readonly encryption: DataEncryption;
  private readonly allowList: WebhookAllowList;
  /** Replaced by tests that need a DNS answer of their own. */
  resolveHost: HostResolver = systemResolver;
  /** Told when deliveries were written on this replica, so its worker sends them at once rather than at its next poll. */
  private readonly deliveryListeners = new Set<() => void>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
  ) {
    this.encryption = new DataEncryption(config.DATA_ENCRYPTION_KEY, config.DATA_ENCRYPTION_OLD_KEYS);
    this.allowList = parseAllowList(config.WEBHOOK_ALLOWED_HOSTS);
  }

  onDeliveriesWritten(listener: () => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  async create(command: CreateWebhookCommand): Promise<WebhookView> {
    const principal = await this.verifyAdmin(command.principal);
    const events = subscribedEvents(command.events);
    await this.verifyUrl(command.url);
    const [row] = (await this.dataSource.query(
      `INSERT INTO ${WEBHOOKS_TABLE} (organization_id, url, events, secret_encrypted, description, ordered_per_ticket) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [principal.orgId, command.url, events, this.encryptSecret(command.secret), command.description ?? null, command.orderedPerTicket ?? false],
    )) as WebhookRow[];
    return toView(row!);
  }

  async list(command: ListWebhooksCommand): Promise<Page<WebhookView>> {
    const principal = await this.verifyAdmin(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const after = command.cursor ? decodeCursor(command.cursor, 'timestamp') : null;
    const rows = (await this.dataSource.query(
      `SELECT *, created_at::text AS sort_value FROM ${WEBHOOKS_TABLE} WHERE organization_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
       ORDER BY created_at, id LIMIT $4`,
      [principal.orgId, after?.value ?? null, after?.id ?? null, limit + 1],
    )) as Array<WebhookRow & { sort_value: string }>;
    const page = rows.slice(0, limit);
    return { items: page.map(toView), nextCursor: rows.length > limit ? encodeCursor({ value: page.at(-1)!.sort_value, id: page.at(-1)!.id }) : null };
  }

  async get(principal: Principal, webhookId: string): Promise<WebhookView> {
    await this.verifyAdmin(principal);
    return toView(await this.find(principal.orgId, webhookId));
  }

  async update(command: UpdateWebhookCommand): Promise<WebhookView> {
    const principal = await this.verifyAdmin(command.principal);
    const current = await this.find(principal.orgId, command.webhookId);
    const { changes } = command;
    if (changes.url !== undefined) await this.verifyUrl(changes.url);
    const events = changes.events !== undefined ? subscribedEvents(changes.events) : current.events;
    const secret = changes.secret !== undefined ? this.encryptSecret(changes.secret) : current.secret_encrypted;
    const description = changes.description !== undefined ? changes.description : current.description;
    const enabling = changes.active === true && !current.active;
    const disabling = changes.active === false && current.active;
    const [rows] = (await this.dataSource.query(
      `UPDATE ${WEBHOOKS_TABLE} SET url = $3, events = $4, secret_encrypted = $5, description = $6, ordered_per_ticket = $7, active = $8,
         disabled_at = CASE WHEN $9 THEN NULL WHEN $10 THEN now() ELSE disabled_at END,
         disabled_reason = CASE WHEN $9 THEN NULL WHEN $10 THEN 'disabled by an admin' ELSE disabled_reason END,
         failing_since = CASE WHEN $9 THEN NULL ELSE failing_since END,
         updated_at = now()
       WHERE id = $1 AND organization_id = $2 RETURNING *`,
      [current.id, principal.orgId, changes.url ?? current.url, events, secret, description, changes.orderedPerTicket ?? current.ordered_per_ticket, changes.active ?? current.active, enabling, disabling],
    )) as [WebhookRow[], number];
    if (disabling) await this.abandonOpenDeliveries(current.id, 'the webhook was disabled before it was sent');
    const updated = rows[0];
    if (!updated) throw new CommandError('NOT_FOUND', 'Webhook not found');
    return toView(updated);
  }

  async delete(principal: Principal, webhookId: string): Promise<{ deleted: true }> {
    await this.verifyAdmin(principal);
    const [, deleted] = (await this.dataSource.query(`DELETE FROM ${WEBHOOKS_TABLE} WHERE id = $1 AND organization_id = $2`, [webhookId, principal.orgId])) as [unknown, number];
    if (deleted === 0) throw new CommandError('NOT_FOUND', 'Webhook not found');
    return { deleted: true };
  }

  async listDeliveries(command: ListWebhookDeliveriesCommand): Promise<Page<WebhookDeliveryView>> {
    const principal = await this.verifyAdmin(command.principal);
    const webhook = await this.find(principal.orgId, command.webhookId);
    const limit = command.limit ?? PAGE_SIZE.default;
    const before = command.cursor ? decodeCursor(command.cursor, 'timestamp') : null;
    const rows = (await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS}, created_at::text AS sort_value FROM ${DELIVERIES_TABLE}
       WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [webhook.id, command.status ?? null, before?.value ?? null, before?.id ?? null, limit + 1],
    )) as Array<DeliveryRow & { sort_value: string }>;
    const page = rows.slice(0, limit);
    return { items: page.map(toDeliveryView), nextCursor: rows.length > limit ? encodeCursor({ value: page.at(-1)!.sort_value, id: page.at(-1)!.id }) : null };
  }

  async getDelivery(principal: Principal, webhookId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    await this.verifyAdmin(principal);
    return toDeliveryView(await this.findDelivery(principal.orgId, webhookId, deliveryId));
  }

  /** The same event again, as a new delivery sent at once (even while the webhook is disabled: an admin asked). */
  async redeliver(principal: Principal, webhookId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    await this.verifyAdmin(principal);
    const original = await this.findDelivery(principal.orgId, webhookId, deliveryId);
    const [row] = (await this.dataSource.query(
      `INSERT INTO ${DELIVERIES_TABLE} (webhook_id, organization_id, event_id, event_type, ticket_id, body, manual, redelivery_of, next_attempt_at)
       SELECT webhook_id, organization_id, event_id, event_type, ticket_id, body, true, id, now() FROM ${DELIVERIES_TABLE} WHERE id = $1
       RETURNING ${DELIVERY_COLUMNS}`,
      [original.id],
    )) as DeliveryRow[];
    this.deliveriesWritten();
    return toDeliveryView(row!);
  }

  /** A `webhook.test` event, whatever the subscription lists. */
  async sendTest(principal: Principal, webhookId: string): Promise<WebhookDeliveryView> {
    await this.verifyAdmin(principal);
    const webhook = await this.find(principal.orgId, webhookId);
    const event = {
      id: uuidv7(),
      type: WEBHOOK_TEST_EVENT,
      version: 1,
      occurredAt: new Date().toISOString(),
      orgId: principal.orgId,
      aggregateId: webhook.id,
      actor: { userId: principal.userId, role: principal.role },
      data: { webhookId: webhook.id, message: 'A test event sent from the helpdesk console or API.' },
    };
    const [row] = (await this.dataSource.query(
      `INSERT INTO ${DELIVERIES_TABLE} (webhook_id, organization_id, event_id, event_type, body, manual, next_attempt_at) VALUES ($1, $2, $3, $4, $5, true, now())
       RETURNING ${DELIVERY_COLUMNS}`,
      [webhook.id, principal.orgId, event.id, event.type, JSON.stringify(event)],
    )) as DeliveryRow[];
    this.deliveriesWritten();
    return toDeliveryView(row!);
  }

  /**
   * One delivery per active subscription of the event's organization listing its type (or `*`).
   * Idempotent: an event handled again (a redelivery from JetStream) writes nothing new.
   */
  async recordEvent(event: EventEnvelope): Promise<number> {
    if (event.type === WEBHOOK_REQUESTED_EVENT) return this.recordRequested(event as unknown as EventEnvelope<TicketWebhookRequestedData>);
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event.type)) return 0;
    const ticketId = ticketOf(event) ?? null;
    const written = (await this.dataSource.query(
      `INSERT INTO ${DELIVERIES_TABLE} (webhook_id, organization_id, event_id, event_type, ticket_id, body, ordered, next_attempt_at)
       SELECT id, organization_id, $2, $3, $4, $5, ordered_per_ticket AND $4::uuid IS NOT NULL, now() FROM ${WEBHOOKS_TABLE}
       WHERE organization_id = $1 AND active AND ($3 = ANY (events) OR '*' = ANY (events))
       ON CONFLICT (webhook_id, event_id) WHERE redelivery_of IS NULL DO NOTHING RETURNING id`,
      [event.orgId, event.id, event.type, ticketId, JSON.stringify(event)],
    )) as Array<{ id: string }>;
    if (written.length > 0) this.deliveriesWritten();
    return written.length;
  }

  /** Whether a webhook is the organization's (the ticket service checks a rule's webhook action with it). */
  async exists(orgId: string, webhookId: string): Promise<WebhookExistsReply> {
    const [row] = (await this.dataSource.query(`SELECT active FROM ${WEBHOOKS_TABLE} WHERE id = $1 AND organization_id = $2`, [webhookId, orgId])) as Array<{ active: boolean }>;
    return { exists: row !== undefined, active: row?.active ?? false };
  }

  /**
   * A rule's webhook action: this envelope, to the one webhook it names, whatever it subscribes to.
   * A webhook disabled or deleted since the rule was written gets nothing; the notification
   * service cannot note that on the ticket, so it is logged (with the rule) and the event acknowledged.
   */
  private async recordRequested(event: EventEnvelope<TicketWebhookRequestedData>): Promise<number> {
    const { webhookId, rule, ticket } = event.data;
    const written = (await this.dataSource.query(
      `INSERT INTO ${DELIVERIES_TABLE} (webhook_id, organization_id, event_id, event_type, ticket_id, body, ordered, next_attempt_at)
       SELECT id, organization_id, $3, $4, $5, $6, ordered_per_ticket, now() FROM ${WEBHOOKS_TABLE}
       WHERE id = $2 AND organization_id = $1 AND active
       ON CONFLICT (webhook_id, event_id) WHERE redelivery_of IS NULL DO NOTHING RETURNING id`,
      [event.orgId, webhookId, event.id, event.type, ticket.id, JSON.stringify(event)],
    )) as Array<{ id: string }>;
    if (written.length > 0) {
      this.deliveriesWritten();
      return written.length;
    }
    const [found] = (await this.dataSource.query(`SELECT active FROM ${WEBHOOKS_TABLE} WHERE id = $1 AND organization_id = $2`, [webhookId, event.orgId])) as Array<{ active: boolean }>;
    // Written already (the event handled again) when it is there and active: nothing to say.
    if (!found?.active) {
      this.logger.warn({
        message: `${rule.kind} "${rule.name}" asked for webhook ${webhookId}, which is ${found ? 'disabled' : 'deleted'}: delivery skipped`,
        orgId: event.orgId,
        eventId: event.id,
        ticketId: ticket.id,
        ruleId: rule.id,
        ruleKind: rule.kind,
        webhookId,
      });
    }
    return 0;
  }

  /** Open deliveries of a webhook that was disabled are given up, so they neither linger nor go out when it is enabled days later. */
  async abandonOpenDeliveries(webhookId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${DELIVERIES_TABLE} SET status = 'dead', error = coalesce(error || '; ', '') || $2, next_attempt_at = NULL
       WHERE webhook_id = $1 AND status IN ('pending', 'failed') AND NOT manual`,
      [webhookId, reason],
    );
  }

  private deliveriesWritten(): void {
    for (const listener of this.deliveryListeners) listener();
  }

  private async find(orgId: string, webhookId: string): Promise<WebhookRow> {
    const [row] = (await this.dataSource.query(`SELECT * FROM ${WEBHOOKS_TABLE} WHERE id = $1 AND organization_id = $2`, [webhookId, orgId])) as WebhookRow[];
    if (!row) throw new CommandError('NOT_FOUND', 'Webhook not found');
    return row;
  }

  private async findDelivery(orgId: string, webhookId: string, deliveryId: string): Promise<DeliveryRow> {
    const [row] = (await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM ${DELIVERIES_TABLE} WHERE id = $1 AND webhook_id = $2 AND organization_id = $3`, [
      deliveryId,
      webhookId,
      orgId,
    ])) as DeliveryRow[];
    if (!row) throw new CommandError('NOT_FOUND', 'Webhook delivery not found');
    return row;
  }

  /**
   * The URL checks of the outbound client (scheme, credentials, IP literals), and a host name's
   * addresses vetted now, so the admin hears of a refused receiver at once rather than in the log.
   * A name that does not resolve yet is accepted: each delivery resolves and vets it again.
   */
  private async verifyUrl(url: string): Promise<void> {
    const verdict = checkWebhookUrl(url, { allowHttp: this.config.WEBHOOK_ALLOW_HTTP, allowList: this.allowList });
    if (!verdict.allowed) throw new CommandError('VALIDATION', `url refused: ${verdict.reason}`);
    if (verdict.address || isHostNameAllowed(verdict.hostName, this.allowList)) return;
    let answers: Array<{ address: string }>;
    try {
      answers = await this.resolveHost(verdict.hostName);
    } catch {
      return;
    }
    for (const answer of answers) {
      const vetted = vetAddress(answer.address, this.allowList);
      if (!vetted.allowed) throw new CommandError('VALIDATION', `url refused: ${verdict.hostName} resolves to a refused address: ${vetted.reason}`);
    }
  }

  private encryptSecret(secret: string): string {
    if (!this.encryption.canEncrypt) throw new CommandError('VALIDATION', 'Webhook secrets cannot be stored: the notification service has no DATA_ENCRYPTION_KEY');
    return this.encryption.encrypt(secret);
  }

  /** The token's role may be up to 15 minutes old: the account must still be an active admin now. */
  private async verifyAdmin(principal: Principal): Promise<Principal> {
    if (principal.role !== 'admin') throw new CommandError('FORBIDDEN', 'Only admins may manage webhooks');
    const me = await this.commands.request<MeReply>(subjects.auth.me, { principal });
    if (me.user.role !== 'admin') throw new CommandError('FORBIDDEN', 'Only admins may manage webhooks');
    return principal;
  }
}
