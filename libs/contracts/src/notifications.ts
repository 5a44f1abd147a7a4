import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import type { Role } from './principal.js';
import type { TicketStatus } from './tickets.js';

/**
 * Keys of a user's `notificationPreferences`: a key set to false turns that mail off; an absent key
 * means on, so new kinds of mail reach users who never opened their settings.
 */
export const NOTIFICATION_PREFERENCES = ['ticketCreated', 'agentReply'] as const;
export type NotificationPreference = (typeof NOTIFICATION_PREFERENCES)[number];

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
}

export interface NotificationRecipient {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  notificationPreferences: Record<string, boolean>;
}

/** What a ticket's mails need, read when the mail is planned (NOT_FOUND when the ticket is not in that organization). */
export interface NotificationContextReply {
  organization: { id: string; name: string };
  ticket: { id: string; number: number; subject: string; status: TicketStatus; requesterId: string; assigneeId: string | null };
  requester: NotificationRecipient;
  assignee?: NotificationRecipient;
  /** Present when `authorId` was asked for and belongs to the organization. */
  author?: NotificationRecipient;
}

export const REPLAY_DEAD_LETTERS_MAX = 1_000;

/** Internal admin command: puts dead deliveries back on the mail queue (all of them when no ids are given). */
export class ReplayDeadLettersCommand {
  @IsOptional()
  @ArrayMaxSize(REPLAY_DEAD_LETTERS_MAX)
  @IsUUID('all', { each: true })
  @IsArray()
  deliveryIds?: string[];
}

export interface ReplayDeadLettersReply {
  /** The deliveries queued again; ids that were not dead are left alone and not listed. */
  deliveryIds: string[];
}
