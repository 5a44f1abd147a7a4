import type { StoredAiTriage } from './ai.js';
import type { TicketSatisfactionView } from './satisfaction.js';
import type { TicketFieldValue } from './ticket-fields.js';
import type { ApiTokenActor, IntegrationActor } from './principal.js';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** Statuses in which SLA clocks no longer run and timers are not scheduled. */
export const FINISHED_STATUSES: readonly TicketStatus[] = ['solved', 'closed'];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_CHANNELS = ['web', 'email', 'api', 'phone', 'chat'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

export const TICKET_SORTS = ['createdAt', 'updatedAt', 'priority', 'resolutionDueAt'] as const;
export type TicketSortField = (typeof TICKET_SORTS)[number];

export const SLA_TARGETS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

export interface UserSummary {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'agent' | 'customer';
}

export interface TicketView {
  id: string;
  number: number;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  /** The priority the customer asked for when opening the ticket (null when staff opened it or none was asked); only staff set `priority`. */
  requestedPriority: TicketPriority | null;
  channel: TicketChannel;
  tags: string[];
  requesterId: string;
  assigneeId: string | null;
  teamId: string | null;
  slaPolicyId: string | null;
  firstResponseDueAt: string | null;
  firstRespondedAt: string | null;
  nextResponseDueAt: string | null;
  resolutionDueAt: string | null;
  resolvedAt: string | null;
  breaches: Partial<Record<SlaTarget, string>>;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Staff only: the AI triage suggestion, once the background job has stored it (null until then). */
  aiTriage?: StoredAiTriage | null;
  /** Staff only: custom field values by key (DESIGN section 14); a field without a value is absent. */
  fields?: Record<string, TicketFieldValue>;
  /** Staff only: the requester's satisfaction rating (docs/satisfaction.md), null until they rate. */
  satisfaction?: TicketSatisfactionView | null;
}

export interface CommentView {
  id: string;
  ticketId: string;
  authorId: string;
  body: string;
  internal: boolean;
  createdAt: string;
}

/**
 * Someone copied on a ticket (DESIGN section 13): a customer of the organization, Cc'd on its mails
 * or added by staff, who receives its public replies. `bouncingSince` is answered to staff only.
 */
export interface TicketParticipantView {
  userId: string;
  name: string;
  email: string;
  /** Staff only: since when mail to this address bounces (null when it does not). */
  bouncingSince?: string | null;
  addedAt: string;
}

/** A staff member following a ticket: they hear of its new comments and status changes by mail. */
export interface TicketFollowerView {
  userId: string;
  name: string;
  /** Since when they follow it. */
  followedAt: string;
}

export interface TicketHistoryEntry {
  id: string;
  ticketId: string;
  actorId: string | null;
  /** The API token the actor made the change with, if any. */
  apiToken: ApiTokenActor | null;
  /** The NATS integration the actor made the change with (a public command), if any. */
  integration: IntegrationActor | null;
  action: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Links staff make between tickets (DESIGN section 14); `parent` means "the other ticket is my parent". */
export const TICKET_LINK_KINDS = ['related', 'parent', 'child'] as const;
export type TicketLinkKind = (typeof TICKET_LINK_KINDS)[number];
/** Written by a merge only: the source is `merged_into` the target, which sees it as `merged_from`. */
export type TicketLinkViewKind = TicketLinkKind | 'merged_into' | 'merged_from';

/** A link as seen from one of its two tickets: the other ticket, and what it is to this one. */
export interface TicketLinkView {
  kind: TicketLinkViewKind;
  ticket: { id: string; number: number; subject: string; status: TicketStatus };
  createdAt: string;
}

/** One id's outcome in a bulk update: 200 with the ticket, or the refusal with its reason. */
export interface BulkTicketResult {
  id: string;
  status: 200 | 400 | 404 | 409 | 422;
  ticket?: TicketView;
  message?: string;
}

/** `ticket.merged` (on the source): what the requester's mail names. */
export interface TicketMergedData {
  ticket: { id: string; number: number; requesterId: string };
  /** The number only: the target may be another customer's request, whose subject is not theirs to read. */
  target: { id: string; number: number };
}
