import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { PageCursor, PageLimit } from './commands/pagination.js';
import { AuthenticatedCommand, PrincipalDto } from './commands/principal.dto.js';
import type { Role } from './principal.js';
import type { TicketStatus } from './tickets.js';

/**
 * Keys of a user's `notificationPreferences`, one per kind of mail: a key set to false turns that
 * mail off; an absent key means on, so new kinds of mail reach users who never opened their
 * settings. Account mails (invitation, password reset) have no key: they always go.
 */
export const NOTIFICATION_PREFERENCES = [
  /** Requester: "we received your request". */
  'ticketCreated',
  /** Requester: a public reply by staff. */
  'agentReply',
  /** Requester: the ticket was solved. */
  'ticketSolved',
  /** Staff: a new ticket for their team (or, without a team, for admins). */
  'newTicket',
  /** Staff: a ticket was assigned to them. */
  'ticketAssigned',
  /** Staff: the customer replied on a ticket assigned to them. */
  'customerReply',
  /** Staff: 80% of an SLA target has elapsed. */
  'slaWarning',
  /** Staff: an SLA target was missed. */
  'slaBreached',
  /** Staff: a new comment or a status change on a ticket they follow. */
  'followedTicket',
] as const;
export type NotificationPreference = (typeof NOTIFICATION_PREFERENCES)[number];

/** The mails a customer can receive, so the only preferences a customer may set; the others are staff mails. */
export const CUSTOMER_NOTIFICATION_PREFERENCES: readonly NotificationPreference[] = ['ticketCreated', 'agentReply', 'ticketSolved'];

/** A change to a user's preferences (PATCH /me): only known keys, each true or false; keys left out keep their value. */
export class NotificationPreferencesDto implements Partial<Record<NotificationPreference, boolean>> {
  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.ticketCreated !== undefined)
  @IsBoolean()
  ticketCreated?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.agentReply !== undefined)
  @IsBoolean()
  agentReply?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.ticketSolved !== undefined)
  @IsBoolean()
  ticketSolved?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.newTicket !== undefined)
  @IsBoolean()
  newTicket?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.ticketAssigned !== undefined)
  @IsBoolean()
  ticketAssigned?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.customerReply !== undefined)
  @IsBoolean()
  customerReply?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.slaWarning !== undefined)
  @IsBoolean()
  slaWarning?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.slaBreached !== undefined)
  @IsBoolean()
  slaBreached?: boolean;

  @ValidateIf((preferences: NotificationPreferencesDto) => preferences.followedTicket !== undefined)
  @IsBoolean()
  followedTicket?: boolean;
}

/** Internal (no principal): asked by the notification service, which trusts the organization id of a stored event. */
export class NotificationContextCommand {
  @IsUUID()
  orgId!: string;

  @IsUUID()
  ticketId!: string;

  /** The user who wrote the comment the mail quotes, when there is one. */
  @IsOptional()
  @IsUUID()
  authorId?: string;

  /** Also answer `teamMembers` and `admins`: who hears of a new ticket, and whom an SLA alert falls back to. */
  @IsOptional()
  @IsBoolean()
  staffContacts?: boolean;

  /** Also answer `participants`: the people Cc'd on the ticket's mails, who hear of public replies. */
  @IsOptional()
  @IsBoolean()
  participants?: boolean;

  /** Also answer `followers`: the staff following the ticket, who hear of its comments and status changes. */
  @IsOptional()
  @IsBoolean()
  followers?: boolean;
}

export interface NotificationRecipient {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  notificationPreferences: Record<string, boolean>;
  /** Mail to the address bounced and nobody has cleared it since: nothing is sent to it. */
  bouncing: boolean;
}

export interface NotificationOrganization {
  id: string;
  name: string;
  /** False until the signup address is verified: then only staff may be mailed. */
  emailVerified: boolean;
  /** In a ticket's context: whether the solved mail asks the requester to rate the ticket. */
  satisfactionSurveys?: boolean;
}

/** What a ticket's mails need, read when the mail is planned (NOT_FOUND when the ticket is not in that organization). */
export interface NotificationContextReply {
  organization: NotificationOrganization;
  ticket: { id: string; number: number; subject: string; status: TicketStatus; requesterId: string; assigneeId: string | null; teamId: string | null };
  requester: NotificationRecipient;
  assignee?: NotificationRecipient;
  /** Present when `authorId` was asked for and belongs to the organization. */
  author?: NotificationRecipient;
  /** With `staffContacts`: the active agents and admins of the ticket's team (empty without a team). */
  teamMembers?: NotificationRecipient[];
  /** With `staffContacts`: the organization's active admins. */
  admins?: NotificationRecipient[];
  /** With `participants`: the ticket's active participants (customers Cc'd on its mails), bounded by MAILBOX_LIMITS.ticketParticipants. */
  participants?: NotificationRecipient[];
  /** With `followers`: the ticket's active staff followers. */
  followers?: NotificationRecipient[];
}

/** Internal (no principal): the organization and current account of the user an account mail (invitation, password reset) goes to. */
export class NotificationUserContextCommand {
  @IsUUID()
  orgId!: string;

  @IsUUID()
  userId!: string;
}

/** Internal (no principal): the organization and its active admins, for mails about the organization itself. */
export class NotificationOrganizationContextCommand {
  @IsUUID()
  orgId!: string;
}

export interface NotificationOrganizationContextReply {
  organization: NotificationOrganization;
  admins: NotificationRecipient[];
}

/** NOT_FOUND when the user is not in that organization. */
export interface NotificationUserContextReply {
  organization: NotificationOrganization;
  user: NotificationRecipient;
}

export const REPLAY_DEAD_LETTERS_MAX = 1_000;

/**
 * Puts an organization's dead deliveries back on the mail queue (all of them when no ids are given).
 * The principal (the gateway's admin endpoint) is required and must be an admin; only its
 * organization's deliveries are touched.
 */
export class ReplayDeadLettersCommand extends AuthenticatedCommand {
  @IsOptional()
  @ArrayMaxSize(REPLAY_DEAD_LETTERS_MAX)
  @IsUUID('all', { each: true })
  @IsArray()
  deliveryIds?: string[];
}

export interface ReplayDeadLettersReply {
  /** The deliveries queued again; ids that were not dead (or not the caller's) are left alone and not listed. */
  deliveryIds: string[];
}

/** One page of the caller's organization's dead deliveries, the most recently given up first. Admins only. */
export class ListDeadLettersCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

/** One dead delivery of the caller's organization (NOT_FOUND otherwise, and once it is no longer dead). Admins only. */
export class DeadLetterRefCommand extends AuthenticatedCommand {
  @IsUUID()
  deliveryId!: string;
}

/** A dead delivery as the admin list shows it. */
export interface DeadLetterSummary {
  id: string;
  /** The kind of mail: `invitation`, `password-reset`, `ticket-created`, `agent-reply`, ... */
  template: string;
  recipient: string;
  subject: string;
  ticketId: string | null;
  attempts: number;
  lastError: string | null;
  /** ISO 8601: when the service gave up on it. */
  failedAt: string;
}

/** One failed attempt (or the final verdict), oldest first. */
export interface DeadLetterError {
  /** ISO 8601. */
  at: string;
  /** The attempt it ended (1 for the first). */
  attempt: number;
  error: string;
}

/**
 * A dead delivery in full, as far as the delivery log keeps it. Secrets are redacted: an account
 * mail's single-use link (invitation, password reset, verification) is issued only when the mail is
 * sent and is never shown here, and any token-bearing link in the text, HTML or errors is masked.
 */
export interface DeadLetterDetail extends DeadLetterSummary {
  eventId: string;
  eventType: string;
  messageId: string;
  /** ISO 8601: when the mail was planned. */
  createdAt: string;
  errors: DeadLetterError[];
  mail: { subject: string; text: string; html: string };
  /** True when something was masked in the mail or its errors. */
  redacted: boolean;
}

export const ADMIN_ALERT_MESSAGE_MAX = 2_000;

/**
 * A critical log line of any service, published fire-and-forget (core NATS, no reply) for the
 * notification service to mail to ADMIN_EMAILS. Carries no log metadata beyond a few ids, so no
 * secret travels with it.
 */
export class AdminAlert {
  @Matches(/^[a-z][a-z-]{0,31}$/)
  service!: string;

  @Length(1, 64)
  @IsString()
  instanceId!: string;

  @Length(1, ADMIN_ALERT_MESSAGE_MAX)
  @IsString()
  message!: string;

  /** The logger's context (class name), part of the deduplication fingerprint. */
  @IsOptional()
  @Length(1, 100)
  @IsString()
  context?: string;

  @IsIn(['error'])
  level!: 'error';

  @IsISO8601()
  occurredAt!: string;

  @IsOptional()
  @Length(1, 128)
  @IsString()
  requestId?: string;

  @IsOptional()
  @Length(1, 128)
  @IsString()
  eventId?: string;
}
