import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsEmail, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { DIRECTORY_LIMITS, MIME_TYPE, OBJECT_KEY, SHA256_HEX } from './commands/directory.commands.js';
import { AuthenticatedCommand } from './commands/principal.dto.js';
import { PageCursor, PageLimit } from './commands/pagination.js';
import type { CommentView, TicketView } from './tickets.js';

/** The email channel (DESIGN section 13): mailboxes belong to the notification service. */
export const MAILBOX_LIMITS = {
  address: 254,
  host: 253,
  imapUser: 320,
  imapPassword: 1_000,
  folder: 200,
  /** 43 base64url characters: 32 random bytes. */
  inboundToken: 43,
  /** Raw messages in the `inbound-mail` object store are named `<mailboxId>/<uuid>`. */
  objectKey: 200,
  /** Cc addresses of one mail made participants: a mail to 200 people adds no more than this. */
  ccParticipants: 50,
  /** Attachments (inline images included) of one mail that are recorded on the ticket. */
  attachments: 100,
  /** Participants of one ticket at most, however many mails Cc others. */
  ticketParticipants: 100,
  /**
   * Longest local part (octets before the @) of a mailbox that can carry reply tokens: RFC 5321 allows
   * 64 octets, and `<local>+<token>` spends 1 + 45 of them on the token (reply-token.ts). A shorter
   * token cannot carry the ticket, the recipient and a 64-bit signature in a case-insensitive alphabet.
   */
  replyAddressLocalPart: 18,
  /** Failed recipients of one delivery-status report taken into account. */
  bouncedRecipients: 100,
} as const;

/** The object store bucket that keeps every raw inbound message (DESIGN section 13). */
export const INBOUND_MAIL_BUCKET = 'inbound-mail';

/** The HTTP header carrying a mailbox's inbound token on `POST /api/v1/inbound/email/:mailboxId`. */
export const INBOUND_TOKEN_HEADER = 'x-helpdesk-inbound-token';

/** IMAP settings as written; the password is stored encrypted and never answered. */
export class ImapSettingsDto {
  @Length(1, MAILBOX_LIMITS.host)
  @Matches(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/, { message: 'imap.host must be a host name or an IP address' })
  @IsString()
  host!: string;

  @Min(1)
  @Max(65_535)
  @IsInt()
  port!: number;

  /** TLS from the first byte (993); false means STARTTLS when offered (143). */
  @IsBoolean()
  tls!: boolean;

  @Length(1, MAILBOX_LIMITS.imapUser)
  @IsString()
  user!: string;

  @Length(1, MAILBOX_LIMITS.imapPassword)
  @IsString()
  password!: string;

  @IsOptional()
  @Length(1, MAILBOX_LIMITS.folder)
  @IsString()
  folder?: string;
}

/** IMAP settings on update: the password may be left out to keep the stored one. */
export class ImapSettingsChangesDto extends ImapSettingsDto {
  // Only optional here; its length and type rules come from ImapSettingsDto.
  @IsOptional()
  declare password: string;
}

export class CreateMailboxCommand extends AuthenticatedCommand {
  /** Unique across every organization (CONFLICT otherwise), compared case-insensitively. */
  @MaxLength(MAILBOX_LIMITS.address)
  @IsEmail()
  address!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ImapSettingsDto)
  @IsObject()
  imap?: ImapSettingsDto;
}

export class MailboxRefCommand extends AuthenticatedCommand {
  @IsUUID()
  mailboxId!: string;
}

/** Any staff member's principal: is this address the organization's own mailbox (or the service's sender address)? */
export class OwnsAddressCommand extends AuthenticatedCommand {
  @MaxLength(MAILBOX_LIMITS.address)
  @IsString()
  email!: string;
}

export class ListMailboxesCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class MailboxChanges {
  @ValidateIf((changes: MailboxChanges) => changes.address !== undefined)
  @MaxLength(MAILBOX_LIMITS.address)
  @IsEmail()
  address?: string;

  /** null removes the IMAP settings (the mailbox then receives only by HTTP or SMTP). */
  @IsOptional()
  @ValidateNested()
  @Type(() => ImapSettingsChangesDto)
  @IsObject()
  imap?: ImapSettingsChangesDto | null;
}

export class UpdateMailboxCommand extends MailboxRefCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => MailboxChanges)
  @IsObject()
  changes!: MailboxChanges;
}

export interface ImapSettingsView {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  folder: string;
}

/** What became of the mail a mailbox received, by every way in, since it was made. */
export interface MailboxCountsView {
  received: number;
  ticketsCreated: number;
  commentsAdded: number;
  duplicates: number;
  failures: number;
}

/** The IMAP reader's health and the mailbox's counts, for its admins. */
export interface MailboxStatusView {
  /** The last time the IMAP folder was read through (null before the first read, or without IMAP). */
  lastPollAt: string | null;
  /** The last IMAP failure in words (never a password), null once a read succeeds again. */
  lastError: string | null;
  /** IMAP failures since the last successful read. */
  consecutiveFailures: number;
  /** True while a `mailbox.failed` incident is open (announced, not yet recovered). */
  failing: boolean;
  counts: MailboxCountsView;
}

/** A mailbox as answered: never the IMAP password nor the inbound token (or its hash). */
export interface MailboxView {
  id: string;
  address: string;
  imap: ImapSettingsView | null;
  status: MailboxStatusView;
  /**
   * The Reply-To of outgoing ticket mail: `tokenFits` when the local part is short enough to carry a
   * reply token (MAILBOX_LIMITS.replyAddressLocalPart), `used` when this is the mailbox ticket mails
   * name (the organization's oldest one that fits). When none fits, ticket mails have no Reply-To.
   */
  replyTo: { tokenFits: boolean; used: boolean };
  createdAt: string;
  updatedAt: string;
}

/** Answered only by create and rotate-token: the one time the inbound token is shown. */
export interface MailboxWithTokenView extends MailboxView {
  inboundToken: string;
}

/** The gateway asks, before it reads the body, whether the caller holds the mailbox's token (UNAUTHORIZED otherwise). */
export class AuthorizeInboundCommand {
  @IsUUID()
  mailboxId!: string;

  @Length(1, 200)
  @IsString()
  token!: string;
}

/** The raw message is in the `inbound-mail` bucket under `objectKey`; the token is checked again. */
export class IngestInboundCommand extends AuthorizeInboundCommand {
  @Length(1, MAILBOX_LIMITS.objectKey)
  @Matches(/^[\x21-\x7e]+$/)
  @IsString()
  objectKey!: string;
}

export type InboundOutcome = 'ticket_created' | 'comment_added' | 'duplicate';

export interface InboundResultView {
  /** The Message-ID the message was recorded under (minted from its bytes when it had none). */
  messageId: string;
  outcome: InboundOutcome;
  ticketId: string;
  commentId: string | null;
}

/**
 * A message recorded without a ticket change (loops and noise): `bounce_recorded`, a delivery-status
 * report whose failed recipients are now bouncing; `rate_limited`, a new ticket beyond the sender's
 * hourly cap; `duplicate`, such a message received again.
 */
export interface InboundNoTicketView {
  messageId: string;
  outcome: 'bounce_recorded' | 'rate_limited' | 'duplicate';
  ticketId: null;
  commentId: null;
}

/** What receiving one message answers. */
export type InboundReceipt = InboundResultView | InboundNoTicketView;

// ---- the ticket service's side: internal, for the notification service only (NATS permissions) ----

export class EmailSenderDto {
  @MaxLength(254)
  @IsEmail()
  email!: string;

  @IsOptional()
  @Length(1, 200)
  @IsString()
  name?: string;
}

/**
 * An attachment of a mail that passed the upload screening, its bytes already in the attachment
 * bucket. Its id is chosen by the notification service (derived from the change), so the body can
 * show an inline image in place and a redelivered mail records the same attachment, not a second.
 */
export class EmailAttachmentDto {
  @IsUUID()
  id!: string;

  @Length(1, DIRECTORY_LIMITS.filename)
  @IsString()
  filename!: string;

  @Matches(MIME_TYPE, { message: 'contentType must be a MIME type such as application/pdf' })
  @MaxLength(DIRECTORY_LIMITS.contentType)
  @IsString()
  contentType!: string;

  @Min(0)
  @Max(DIRECTORY_LIMITS.attachmentBytes)
  @IsInt()
  size!: number;

  @Matches(SHA256_HEX, { message: 'sha256 must be 64 hexadecimal characters' })
  @IsString()
  sha256!: string;

  @Matches(OBJECT_KEY, { message: 'objectKey must be printable ASCII without spaces' })
  @Length(1, DIRECTORY_LIMITS.objectKey)
  @IsString()
  objectKey!: string;
}

/**
 * A new ticket (channel `email`) requested by the sender of a mail: the organization's user with
 * that address, or a new customer without a password.
 */
export class EmailCreateTicketCommand {
  @IsUUID()
  orgId!: string;

  /** The id the ticket gets: the same change asked again (a redelivery after a crash) answers the ticket made the first time. */
  @IsUUID()
  changeId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => EmailSenderDto)
  @IsObject()
  sender!: EmailSenderDto;

  @Length(1, 250)
  @IsString()
  subject!: string;

  @MaxLength(65_536)
  @IsString()
  description!: string;

  /** The mail's Cc addresses (the notification service has left out the organization's own mailboxes): they become participants. */
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => EmailSenderDto)
  @ArrayMaxSize(MAILBOX_LIMITS.ccParticipants)
  @IsArray()
  cc?: EmailSenderDto[];

  /** The mail's accepted attachments: recorded on the ticket (or the comment), uploaded by the sender. */
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => EmailAttachmentDto)
  @ArrayMaxSize(MAILBOX_LIMITS.attachments)
  @IsArray()
  attachments?: EmailAttachmentDto[];
}

/**
 * A public comment by the sender of a mail on a ticket named by id (the mail answered one of the
 * ticket's mails) or by number (a `[#number]` subject tag, or a reply token). NOT_FOUND unless the
 * ticket is in that organization and the sender takes part in it: with `replyTokenUserId`, the
 * sender must be that user (then staff post an agent reply); without, the sender must be the
 * requester or a Cc participant (staff never act without a token). Then the caller tries its next
 * threading rule, or opens a new ticket.
 */
export class EmailAddCommentCommand {
  @IsUUID()
  orgId!: string;

  /** The id the comment gets: the same change asked again answers the comment made the first time. */
  @IsUUID()
  changeId!: string;

  @ValidateIf((command: EmailAddCommentCommand) => command.ticketNumber === undefined)
  @IsUUID()
  ticketId?: string;

  @ValidateIf((command: EmailAddCommentCommand) => command.ticketId === undefined)
  @Min(1)
  @IsInt()
  ticketNumber?: number;

  @IsDefined()
  @ValidateNested()
  @Type(() => EmailSenderDto)
  @IsObject()
  sender!: EmailSenderDto;

  @Length(1, 65_536)
  @IsString()
  body!: string;

  /** The user a verified reply token in the recipient address was issued to (the token names the ticket by `ticketNumber`). */
  @IsOptional()
  @IsUUID()
  replyTokenUserId?: string;

  /** The mail's Cc addresses, as for a new ticket: they become participants once the comment is accepted. */
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => EmailSenderDto)
  @ArrayMaxSize(MAILBOX_LIMITS.ccParticipants)
  @IsArray()
  cc?: EmailSenderDto[];

  /** The mail's accepted attachments: recorded on the ticket (or the comment), uploaded by the sender. */
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => EmailAttachmentDto)
  @ArrayMaxSize(MAILBOX_LIMITS.attachments)
  @IsArray()
  attachments?: EmailAttachmentDto[];
}

/** A delivery-status report's failed recipients, in the organization of the mailbox it came to. */
export class EmailMarkBouncingCommand {
  @IsUUID()
  orgId!: string;

  @IsEmail({}, { each: true })
  @MaxLength(MAILBOX_LIMITS.address, { each: true })
  @ArrayMaxSize(MAILBOX_LIMITS.bouncedRecipients)
  @IsArray()
  emails!: string[];
}

/** The users (of that organization) newly marked bouncing; addresses already bouncing or unknown are left out. */
export interface EmailMarkBouncingReply {
  userIds: string[];
}

/** `refusedAttachmentIds`: the mail's attachments the organization's quota had no room for (named in the body); their stored bytes are the caller's to delete. */
export interface EmailTicketReply {
  ticket: TicketView;
  refusedAttachmentIds?: string[];
}

export interface EmailCommentReply {
  comment: CommentView;
  refusedAttachmentIds?: string[];
}
