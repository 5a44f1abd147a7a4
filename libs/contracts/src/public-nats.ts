import type { ErrorEnvelope } from './errors.js';
import type { EventType } from './events.js';
import type { UserView } from './organizations.js';
import type { CommentView, TicketPriority, TicketView } from './tickets.js';

/**
 * NATS as a public interface (docs/events.md, "Integrating over NATS"): the subjects other services may rely on.
 * Everything under `helpdesk.v1.public.` is versioned as a product; every other subject is internal and is
 * not reachable with integration credentials. Subject tokens carry the organization (and, for commands, the
 * integration), so NATS permissions alone keep one organization's integration out of another's subjects.
 */
export const PUBLIC_SUBJECT_ROOT = 'helpdesk.v1.public';

/** The events an integration may follow: HELPDESK_EVENTS minus the platform's internal requests (mail to send, secrets' links). */
export const PUBLIC_EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'ticket.status_changed',
  'ticket.merged',
  'comment.created',
  'ticket.sla.warning',
  'ticket.sla.breached',
  'ticket.satisfaction_rated',
  'attachment.added',
  'user.invited',
  'user.deactivated',
  'user.role_changed',
] as const satisfies readonly EventType[];
export type PublicEventType = (typeof PUBLIC_EVENT_TYPES)[number];

/** The commands meant for integrations; each acts as the integration's named user, through the same checks as the REST API. */
export const PUBLIC_COMMAND_NAMES = ['tickets.create', 'tickets.get', 'comments.create', 'users.find-by-email'] as const;
export type PublicCommandName = (typeof PUBLIC_COMMAND_NAMES)[number];

export const publicSubjects = {
  /** `helpdesk.v1.public.events.<orgId>.<type>`: one organization's events, as the envelope of events.ts. */
  event: (organizationId: string, type: PublicEventType) => `${PUBLIC_SUBJECT_ROOT}.events.${organizationId}.${type}`,
  /** Every public event of one organization (an integration's subscription filter). */
  organizationEvents: (organizationId: string) => `${PUBLIC_SUBJECT_ROOT}.events.${organizationId}.>`,
  /** `helpdesk.v1.public.commands.<orgId>.<integrationId>.<name>`: request/reply, answered by the gateway. */
  command: (organizationId: string, integrationId: string, name: PublicCommandName) =>
    `${PUBLIC_SUBJECT_ROOT}.commands.${organizationId}.${integrationId}.${name}`,
  /** What the gateway's replicas subscribe to (queue group `gateway-public-commands`). */
  allCommands: `${PUBLIC_SUBJECT_ROOT}.commands.*.*.>`,
} as const;

/** The JetStream stream on the public NATS server holding one organization's public events (names allow no dots). */
export const publicEventsStream = (organizationId: string) => `HELPDESK_PUBLIC_${organizationId.replaceAll('-', '')}`;

/**
 * The public commands' bodies. Each is the REST API's body for the same action (POST /tickets,
 * GET /tickets/:id, POST /tickets/:id/comments, GET /users?email=), so both are checked by the same rules.
 */
export interface PublicCommandRequests {
  /** Opens a ticket as the integration's user (staff): for `requesterEmail` when given (an unknown address becomes a customer). */
  'tickets.create': {
    subject: string;
    description: string;
    priority?: TicketPriority;
    tags?: string[];
    requesterEmail?: string;
    requesterName?: string;
  };
  'tickets.get': { ticketId: string };
  /** `internal: true` is a note only staff see. */
  'comments.create': { ticketId: string; body: string; internal?: boolean };
  'users.find-by-email': { email: string };
}

export interface PublicCommandReplies {
  'tickets.create': TicketView;
  'tickets.get': TicketView;
  'comments.create': CommentView;
  /** NOT_FOUND when no user of the organization has that address. */
  'users.find-by-email': UserView;
}

/** Every public command's reply: the result, or the error envelope of errors.ts (the REST API's codes). */
export type PublicCommandReply<Name extends PublicCommandName> = { result: PublicCommandReplies[Name] } | { error: ErrorEnvelope };
