import type { AttachmentAddedData, TeamAssignment, UserAccessChangedData, UserInvitedData } from './directory.js';
import type { ErrorEnvelope } from './errors.js';
import type { EventActor, EventEnvelope } from './events.js';
import type { Role } from './principal.js';
import type { REQUEST_ID_HEADER } from './headers.js';
import type { PUBLIC_SUBJECT_ROOT, PublicCommandName, PublicCommandReplies, PublicCommandRequests, PublicEventType } from './public-nats.js';
import type { RuleChain, RuleRef } from './rule-actions.js';
import type { SatisfactionRatedData } from './satisfaction.js';
import type { CommentView, SlaTarget, TicketMergedData, TicketPriority, TicketStatus, TicketView } from './tickets.js';

/**
 * The `data` of every public event (docs/asyncapi.yaml is generated from these types by `npm run asyncapi`).
 * They describe what the ticket service records in its outbox; the asyncapi-events spec checks real events against them.
 * Consumers must ignore properties they do not know: new optional properties are added within v1 (docs/events.md, Versioning).
 */

/** What ticket events carry in `ticket`: the ticket as the API shows it, without its description and nothing staff-only. */
export type TicketEventSummary = Omit<TicketView, 'description' | 'aiTriage' | 'fields' | 'satisfaction'>;

/** A ticket named by id and number only. */
export interface TicketReference {
  id: string;
  number: number;
}

/** One changed value: `from` before, `to` after (null when there was none). */
export interface ValueChange {
  from: unknown;
  to: unknown;
}

/** Added when a workflow rule (trigger or automation) made the change. */
export interface RuleEventContext {
  rule?: RuleRef;
  chain?: RuleChain;
}

/** Added when a macro applied to the ticket made the change. */
export interface MacroEventContext {
  macro?: { id: string; name: string };
}

/** Added when a team's automatic assignment rule made the change. */
export interface AssignmentEventContext {
  /** The team's assignment rule that chose the assignee. */
  assignment?: TeamAssignment;
}

/** Context any change made by a rule, a macro or an automatic assignment carries. */
export type ChangeContext = RuleEventContext & MacroEventContext & AssignmentEventContext;

export interface TicketCreatedData extends AssignmentEventContext {
  ticket: TicketEventSummary;
  /** The `ticket.created` triggers that acted inside the creation (their changes are already in `ticket`). */
  triggers?: Array<{ id: string; name: string }>;
}

export interface TicketUpdatedData extends ChangeContext {
  ticket: TicketEventSummary;
  /**
   * By field: `{ <field>: { from, to } }` (`participants`: an email; `followers`: a staff member's name; `links`:
   * `{ kind, ticket }`; `mergedInto`/`mergedFrom`: a ticket number). Custom field values change in an event of their
   * own: `{ fields: { <key>: { from, to } } }`.
   */
  changes: Record<string, ValueChange> | { fields: Record<string, ValueChange> };
}

export interface TicketAssignedData extends ChangeContext {
  ticket: TicketEventSummary;
  previousAssigneeId: string | null;
}

export interface TicketStatusChangedData extends ChangeContext {
  /** The summary when staff changed the status; only id and number when a comment reopened or opened the ticket. */
  ticket: TicketEventSummary | TicketReference;
  from: TicketStatus;
  to: TicketStatus;
}

export interface CommentCreatedData extends RuleEventContext, MacroEventContext {
  /** `body` is sanitized HTML. Internal comments are for staff only: keep them from customers. */
  comment: CommentView;
  ticket: { id: string; number: number; subject: string; status: TicketStatus; requesterId: string; assigneeId: string | null; teamId: string | null };
  authorRole: Role;
  /** `email` when the comment arrived by mail. */
  channel?: 'email';
}

/** What SLA events carry in `ticket`. */
export interface SlaTicketSummary {
  id: string;
  number: number;
  subject: string;
  priority: TicketPriority;
  status: TicketStatus;
  assigneeId: string | null;
  teamId: string | null;
  requesterId: string;
}

export interface SlaWarningData {
  target: SlaTarget;
  /** When 80% of the target elapsed. */
  warningAt: string;
  ticket: SlaTicketSummary;
}

export interface SlaBreachedData {
  target: SlaTarget;
  /** The due time that passed unmet. */
  dueAt: string;
  ticket: SlaTicketSummary;
}

export type UserDeactivatedData = Omit<UserAccessChangedData, 'previousRole'>;

export interface UserRoleChangedData extends UserAccessChangedData {
  previousRole: Role;
}

/** The `data` of each public event type; each entry's comment says when it is published. */
export interface PublicEventData {
  /** A ticket was opened (by a person, by mail, or by an integration's command). */
  'ticket.created': TicketCreatedData;
  /** A ticket's fields changed, or who is copied, following or linked changed, or it was merged. */
  'ticket.updated': TicketUpdatedData;
  /** A ticket's assignee changed (published with its `ticket.updated`). */
  'ticket.assigned': TicketAssignedData;
  /** A ticket's status changed: by staff, or when a reply reopened or opened it. */
  'ticket.status_changed': TicketStatusChangedData;
  /** Staff merged the ticket into another; the source is then closed. */
  'ticket.merged': TicketMergedData;
  /** A comment was written. Internal comments are for staff only. */
  'comment.created': CommentCreatedData;
  /** 80% of an SLA target's time elapsed (once per ticket and target). */
  'ticket.sla.warning': SlaWarningData;
  /** An SLA target's due time passed unmet (once per ticket and target). */
  'ticket.sla.breached': SlaBreachedData;
  /** The requester rated the ticket, or changed their rating. */
  'ticket.satisfaction_rated': SatisfactionRatedData;
  /** An attachment was added to a ticket. Attachments of internal comments are for staff only. */
  'attachment.added': AttachmentAddedData;
  /** An admin invited a user, or resent the invitation. */
  'user.invited': UserInvitedData;
  /** An admin deactivated a user. */
  'user.deactivated': UserDeactivatedData;
  /** An admin changed a user's role. */
  'user.role_changed': UserRoleChangedData;
}

/** A public event as an integration receives it: the envelope of events.ts with its type's data. */
export type PublicEventEnvelope<Type extends PublicEventType> = Omit<EventEnvelope<PublicEventData[Type]>, 'type' | 'actor'> & { type: Type; actor: EventActor };

/** The NATS headers of every published event. */
export interface PublicEventHeaders {
  /** The event's `id`: JetStream drops a republished copy within its duplicate window; consumers deduplicate on it. */
  'Nats-Msg-Id': string;
  /** W3C trace context of the change that caused the event, when it was traced. */
  traceparent?: string;
  /** W3C trace state, beside traceparent. */
  tracestate?: string;
}

/** The NATS headers of a public command request (optional) and of its reply (always). */
export interface PublicCommandHeaders {
  /** Correlates the command with the platform's log lines (REQUEST_ID_HEADER, headers.ts); generated when the request has none, and repeated in the reply. */
  'x-request-id'?: string;
}

/** Every type docs/asyncapi.yaml describes, as one root for its generator (scripts/asyncapi.mjs), with the lists and names it is built from. */
export interface PublicInterfaceTypes {
  subjectRoot: typeof PUBLIC_SUBJECT_ROOT;
  eventTypes: PublicEventType;
  commandNames: PublicCommandName;
  requestIdHeader: typeof REQUEST_ID_HEADER;
  envelope: EventEnvelope;
  eventData: PublicEventData;
  eventHeaders: PublicEventHeaders;
  commandHeaders: PublicCommandHeaders;
  commandRequests: PublicCommandRequests;
  commandReplies: PublicCommandReplies;
  error: ErrorEnvelope;
}
