import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { AuthenticatedCommand } from './commands/principal.dto.js';
import { PageCursor, PageLimit } from './commands/pagination.js';
import { EVENT_TYPES, type EventType } from './events.js';

/** Webhooks (DESIGN section 16): per organization subscriptions to events, delivered signed by the notification service. */
export const WEBHOOK_LIMITS = { url: 2_000, secretMin: 16, secretMax: 256, description: 500, events: 50 } as const;

/** A rule's webhook action: delivered to the one webhook it names, whatever that webhook subscribes to. */
export const WEBHOOK_REQUESTED_EVENT = 'ticket.webhook_requested' satisfies EventType;

/**
 * Events a webhook may subscribe to: every domain event except the account mails' requests
 * (`auth.*`), which concern one person's credentials and are nobody's integration business, and
 * `ticket.webhook_requested`, which is addressed to one webhook (a rule's action), not broadcast.
 */
export const WEBHOOK_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => !type.startsWith('auth.') && type !== WEBHOOK_REQUESTED_EVENT);
/** A subscription to every event of WEBHOOK_EVENT_TYPES, now and future. */
export const WEBHOOK_ALL_EVENTS = '*';
/** What `POST /webhooks/:id/test` sends, whatever the subscription lists. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** The headers of every delivery. */
export const WEBHOOK_HEADERS = { event: 'X-Helpdesk-Event', delivery: 'X-Helpdesk-Delivery', signature: 'X-Helpdesk-Signature' } as const;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** Event types are checked by the notification service, which names the unknown one in its 400. */
export class CreateWebhookCommand extends AuthenticatedCommand {
  @MaxLength(WEBHOOK_LIMITS.url)
  @IsString()
  url!: string;

  @MaxLength(100, { each: true })
  @IsString({ each: true })
  @ArrayMaxSize(WEBHOOK_LIMITS.events)
  @ArrayMinSize(1, { message: 'events must list at least one event type, or "*"' })
  @IsArray()
  events!: string[];

  @Length(WEBHOOK_LIMITS.secretMin, WEBHOOK_LIMITS.secretMax, { message: `secret must be ${WEBHOOK_LIMITS.secretMin} to ${WEBHOOK_LIMITS.secretMax} characters` })
  @IsString()
  secret!: string;

  @IsOptional()
  @MaxLength(WEBHOOK_LIMITS.description)
  @IsString()
  description?: string;

  @IsOptional()
  @IsBoolean()
  orderedPerTicket?: boolean;
}

export class WebhookChanges {
  // Absent keeps the value; null is refused like any other non-text.
  @ValidateIf((changes: WebhookChanges) => changes.url !== undefined)
  @MaxLength(WEBHOOK_LIMITS.url)
  @IsString()
  url?: string;

  @ValidateIf((changes: WebhookChanges) => changes.events !== undefined)
  @MaxLength(100, { each: true })
  @IsString({ each: true })
  @ArrayMaxSize(WEBHOOK_LIMITS.events)
  @ArrayMinSize(1, { message: 'events must list at least one event type, or "*"' })
  @IsArray()
  events?: string[];

  @ValidateIf((changes: WebhookChanges) => changes.secret !== undefined)
  @Length(WEBHOOK_LIMITS.secretMin, WEBHOOK_LIMITS.secretMax, { message: `secret must be ${WEBHOOK_LIMITS.secretMin} to ${WEBHOOK_LIMITS.secretMax} characters` })
  @IsString()
  secret?: string;

  /** null clears it. */
  @ValidateIf((changes: WebhookChanges) => changes.description !== undefined && changes.description !== null)
  @MaxLength(WEBHOOK_LIMITS.description)
  @IsString()
  description?: string | null;

  @ValidateIf((changes: WebhookChanges) => changes.orderedPerTicket !== undefined)
  @IsBoolean()
  orderedPerTicket?: boolean;

  /** false disables the webhook; true enables it again and clears its failure state. */
  @ValidateIf((changes: WebhookChanges) => changes.active !== undefined)
  @IsBoolean()
  active?: boolean;
}

export class WebhookRefCommand extends AuthenticatedCommand {
  @IsUUID()
  webhookId!: string;
}

export class UpdateWebhookCommand extends WebhookRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => WebhookChanges)
  @IsObject()
  changes!: WebhookChanges;
}

export class ListWebhooksCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class ListWebhookDeliveriesCommand extends WebhookRefCommand {
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;

  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class WebhookDeliveryRefCommand extends WebhookRefCommand {
  @IsUUID()
  deliveryId!: string;
}

/**
 * The ticket service's trigger action checks that a webhook is the organization's (internal: ticket
 * service only, trusted like the other service-to-service commands; answers WebhookExistsReply).
 */
export class WebhookExistsCommand {
  @IsUUID()
  orgId!: string;

  @IsUUID()
  webhookId!: string;
}

/** Whether the webhook is the organization's; `active` false when disabled (it may be enabled again). */
export interface WebhookExistsReply {
  exists: boolean;
  active: boolean;
}

/** A webhook as answered: never its secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  orderedPerTicket: boolean;
  active: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  /** Since when every delivery has failed; null after any success. */
  failingSince: string | null;
  lastDeliveryAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryView {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  ticketId?: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  latencyMs: number | null;
  responseStatus: number | null;
  /** The first 1 KB of the last response's body. */
  responseExcerpt: string | null;
  error: string | null;
  redeliveryOf?: string;
  createdAt: string;
}

/** What `webhook.disabled` carries (published by the notification service when a webhook failed for too long). */
export interface WebhookDisabledData {
  webhookId: string;
  url: string;
  reason: string;
  failingSince: string;
}
