import type { ApiTokenActor, IntegrationActor, Role } from './principal.js';

/** JetStream stream holding every domain event; subjects below `helpdesk.v1.events.`. */
export const EVENTS_STREAM = 'HELPDESK_EVENTS';
export const EVENT_SUBJECT_PREFIX = 'helpdesk.v1.events';
export const eventSubject = (type: EventType) => `${EVENT_SUBJECT_PREFIX}.${type}`;

export const EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'ticket.status_changed',
  'ticket.merged',
  'comment.created',
  'ticket.sla.warning',
  'ticket.sla.breached',
  /** A workflow rule's notify action (rule-actions.ts): the notification service mails it. */
  'ticket.notification_requested',
  /** A workflow rule's webhook action (rule-actions.ts): the notification service delivers it to that one webhook. */
  'ticket.webhook_requested',
  /** The requester rated the ticket, or changed their rating (docs/satisfaction.md). */
  'ticket.satisfaction_rated',
  'attachment.added',
  'user.invited',
  'user.deactivated',
  'user.role_changed',
  'user.bouncing',
  'user.bounce_cleared',
  'auth.password_reset_requested',
  'auth.email_verification_requested',
  'mailbox.failed',
  /** A webhook failed for too long and was turned off (published by the notification service): its admins are mailed. */
  'webhook.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Who caused an event: a user, or the platform itself (SLA timers). */
/** `apiToken` when the user acted through one of their API tokens, `integration` when through one of their NATS integrations. */
export type EventActor = { userId: string; role: Role; apiToken?: ApiTokenActor; integration?: IntegrationActor } | { system: string };

/**
 * Every domain event, as stored in the stream (with Nats-Msg-Id = id). Events never carry secrets:
 * stream contents are stored and replicated.
 */
export interface EventEnvelope<TData = Record<string, unknown>> {
  /**
   * UUIDv7: time-ordered, and the idempotency key of every consumer.
   * @format uuid
   */
  id: string;
  type: EventType;
  version: number;
  /** @format date-time */
  occurredAt: string;
  /**
   * The organization the event belongs to.
   * @format uuid
   */
  orgId: string;
  /**
   * What changed: the ticket, the user (user events), the mailbox or the webhook.
   * @format uuid
   */
  aggregateId: string;
  actor: EventActor;
  data: TData;
}
