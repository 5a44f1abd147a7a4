import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandClient, CommandError, normalizeEmail, preparedQuery, preparedQueryIn } from '@helpdesk/common';
import { MAILBOX_LIMITS, subjects, type EmailAttachmentDto, type EmailCommentReply, type EmailSenderDto, type EmailTicketReply, type InboundReceipt } from '@helpdesk/contracts';
import { isEmail } from 'class-validator';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { mailDomain } from '../mail/threading.js';
import { NotificationConfig } from '../notification.config.js';
import { Mailboxes, outcomeCounts, type InboundMailbox } from '../mailboxes/mailboxes.service.js';
import { classifyInboundMail } from './mail-classification.js';
import { inboundCrashPoint } from './inbound-crash-points.js';
import { InboundNoise, senderLockKey } from './inbound-noise.js';
import { ccOf, headerRecipients, messageIdOf, referencedMessageIds, senderOf, subjectOf, subjectTicketNumber } from './inbound-content.js';
import { InboundAttachments } from './inbound-attachments.js';
import { mailBody } from './mail-body.js';
import { ReplyAddresses } from './reply-addresses.js';
import { withUtf7Decoded } from './utf7.js';
import { splitReplyAddress } from './reply-token.js';

const MESSAGES = `${NOTIFICATION_SCHEMA}.inbound_messages`;
const DELIVERIES = `${NOTIFICATION_SCHEMA}.deliveries`;
const MAILBOXES = `${NOTIFICATION_SCHEMA}.mailboxes`;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

type Sender = { email: string; name?: string };

/** What every ticket change of one message carries: on whose behalf, what it says, whom it copies. */
interface MailChange {
  orgId: string;
  changeId: string;
  sender: Sender;
  body: string;
  cc?: EmailSenderDto[];
  attachments?: EmailAttachmentDto[];
}

interface InboundMessageRow {
  id: string;
  message_id: string;
  outcome: 'ticket_created' | 'comment_added' | 'bounce_recorded' | 'rate_limited' | null;
  ticket_id: string | null;
  comment_id: string | null;
}

/**
 * One pipeline for every way in (DESIGN section 13): parse, record once per (mailbox, Message-ID),
 * thread, then ask the ticket service for the ticket or comment on behalf of the sender.
 *
 * The record row is committed first and locked for the whole ticket change, so the same message
 * posted twice at once waits for the first and then answers "duplicate". Its id is the id of the
 * ticket or comment made: after a crash between the ticket service's commit and the record's, the
 * next delivery asks for the same change again and gets the first one back, never a second.
 */
@Injectable()
export class InboundPipeline {
  private readonly logger = new Logger(InboundPipeline.name);
  private readonly threadIdPattern: RegExp;
  /** The address the service's own mail comes from: Cc'd, it is the desk, not a participant. */
  private readonly ownAddress: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(Mailboxes) private readonly mailboxes: Mailboxes,
    @Inject(ReplyAddresses) private readonly replyAddresses: ReplyAddresses,
    @Inject(InboundAttachments) private readonly attachments: InboundAttachments,
    @Inject(NotificationConfig) config: NotificationConfig,
    @Inject(InboundNoise) private readonly noise: InboundNoise,
  ) {
    const domain = mailDomain(config.DEFAULT_FROM_EMAIL).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.threadIdPattern = new RegExp(`^<ticket-(${UUID})@${domain}>$`, 'i');
    this.ownAddress = normalizeEmail(/<([^<>]+)>\s*$/.exec(config.DEFAULT_FROM_EMAIL)?.[1] ?? config.DEFAULT_FROM_EMAIL);
  }

  /** `recipients`: the SMTP envelope's (RCPT TO) for this mailbox; the other ways in have only the headers, which are read in any case. */
  async ingest(mailbox: InboundMailbox, raw: Buffer, objectKey: string, recipients?: string[]): Promise<InboundReceipt> {
    // keepDeliveryStatus: a bounce keeps its report part, which names the failed recipients (classifyInboundMail).
    const parsed = withUtf7Decoded(await simpleParser(raw, { skipImageLinks: true, maxHtmlLengthToParse: 5 * 1024 * 1024, keepDeliveryStatus: true }));
    const { kind, suppressReplies, failedRecipients } = classifyInboundMail(parsed);
    const messageId = messageIdOf(parsed, raw);
    const sender = senderOf(parsed);
    if (!sender) throw new CommandError('VALIDATION', 'The message has no sender address (From)');
    // Committed before the ticket change, so its id survives a crash: the id is the change's (changeId), and the
    // ticket service answers a change it has made already with what it made, never a second ticket or comment.
    // Named prepared statements, here and in the transaction: each mail's statements are parsed and planned once per connection.
    await preparedQuery(
      this.dataSource,
      'inbound-record',
      `INSERT INTO ${MESSAGES} (id, mailbox_id, organization_id, message_id, sender, object_key, kind) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (mailbox_id, message_id) DO NOTHING`,
      // Time-ordered, as the ticket service's own ids.
      [uuidv7(), mailbox.id, mailbox.organizationId, messageId, sender.email, objectKey, kind],
    );
    inboundCrashPoint('after-record');
    return this.dataSource.transaction(async (manager) => {
      // Held until the ticket change is recorded: a concurrent copy of this message waits here. The sender's lock
      // comes in the same round trip (one statement takes both, in the same order for every message: no deadlock),
      // so concurrent mails of one sender wait for each other's outcome and the per-sender cap holds under a burst.
      const [record] = await preparedQueryIn<InboundMessageRow>(
        manager,
        'inbound-record-lock',
        `SELECT message.*, pg_advisory_xact_lock(hashtextextended($3, 0)) IS NULL AS sender_locked
           FROM ${MESSAGES} message WHERE mailbox_id = $1 AND message_id = $2 FOR UPDATE`,
        [mailbox.id, messageId, senderLockKey(mailbox.organizationId, sender.email)],
      );
      if (record!.outcome) {
        return record!.ticket_id
          ? { messageId, outcome: 'duplicate', ticketId: record!.ticket_id, commentId: record!.comment_id }
          : { messageId, outcome: 'duplicate', ticketId: null, commentId: null };
      }
      // The envelope first (it names the reply address even under Bcc); the headers too, as a relay may have rewritten the envelope.
      const delivered = [...new Set([...(recipients ?? []), ...headerRecipients(parsed)])];
      // A bounce is about our own mail: it marks its failed recipients and opens or answers nothing (loops and noise).
      const result =
        kind === 'bounce'
          ? await this.bounced(mailbox, parsed, failedRecipients)
          : await this.apply(manager, mailbox, parsed, { sender, changeId: record!.id, recipients: delivered, copiesPeople: !suppressReplies });
      // The mailbox's counters with the outcome, in one statement and the same transaction: counted once, even across a crash.
      await preparedQueryIn(
        manager,
        `inbound-record-outcome-${result.outcome}`,
        `WITH recorded AS (UPDATE ${MESSAGES} SET outcome = $2, ticket_id = $3, comment_id = $4, processed_at = now(), object_key = $5 WHERE id = $1)
         UPDATE ${MAILBOXES} SET ${outcomeCounts(result.outcome)} WHERE id = $6`,
        [record!.id, result.outcome, result.ticketId, result.commentId, objectKey, mailbox.id],
      );
      inboundCrashPoint('before-record-commit');
      this.logger.log({ message: `Inbound mail ${result.outcome}`, orgId: mailbox.organizationId, mailboxId: mailbox.id, ticketId: result.ticketId });
      return { messageId, ...result };
    });
  }

  private async bounced(mailbox: InboundMailbox, parsed: ParsedMail, failedRecipients: string[]) {
    await this.noise.recordBounce(mailbox.organizationId, parsed, failedRecipients);
    return { outcome: 'bounce_recorded' as const, ticketId: null, commentId: null };
  }

  /**
   * Threading in the design's order: replies to known mails, then a reply token in an address the
   * mail came to, then a participant's subject tag, else a new ticket. Each rule that finds a
   * ticket the sender takes no part in (the ticket service answers NOT_FOUND) gives way to the next,
   * so a copied Message-ID, reply address or tag leads to a ticket of the sender's own.
   */
  private async apply(
    manager: EntityManager,
    mailbox: InboundMailbox,
    parsed: ParsedMail,
    { sender, changeId, recipients, copiesPeople }: { sender: Sender; changeId: string; recipients: string[]; copiesPeople: boolean },
  ) {
    const orgId = mailbox.organizationId;
    // The Cc of an auto-reply, bulk, list or system mail names machines' audiences, not people who asked to follow the ticket.
    const cc = copiesPeople ? await this.participantsCopied(orgId, parsed, sender) : [];
    // Stored before the ticket change under ids derived from it: a redelivery overwrites the same objects.
    const attachments = await this.attachments.keep(orgId, changeId, parsed);
    const change: MailChange = {
      orgId,
      changeId,
      sender,
      body: mailBody(parsed, attachments),
      ...(cc.length > 0 ? { cc } : {}),
      ...(attachments.accepted.length > 0 ? { attachments: attachments.accepted } : {}),
    };
    const commented = (comment: EmailCommentReply['comment']) => ({ outcome: 'comment_added' as const, ticketId: comment.ticketId, commentId: comment.id });
    for (const ticketId of await this.ticketsAnswered(manager, orgId, referencedMessageIds(parsed))) {
      const comment = await this.commentAsParticipant({ ...change, ticketId });
      if (comment) return commented(comment);
    }
    for (const token of this.replyAddresses.fromRecipients(orgId, recipients)) {
      // Acts as the token's user only when that user sent it: the ticket service compares the sender.
      const comment = await this.commentAsParticipant({ ...change, ticketNumber: token.ticketNumber, replyTokenUserId: token.recipientUserId });
      if (comment) return commented(comment);
    }
    const subject = subjectOf(parsed);
    const ticketNumber = subjectTicketNumber(subject);
    if (ticketNumber !== undefined) {
      const comment = await this.commentAsParticipant({ ...change, ticketNumber });
      if (comment) return commented(comment);
    }
    // Replies above are never capped; a sender who opened too many tickets this hour opens no more (and is not answered).
    if (!(await this.noise.mayOpenTicket(manager, orgId, sender.email))) {
      await this.attachments.discard(orgId, change.attachments?.map((attachment) => attachment.id));
      return { outcome: 'rate_limited' as const, ticketId: null, commentId: null };
    }
    const { body: description, ...opening } = change;
    const { ticket, refusedAttachmentIds } = await this.commands.request<EmailTicketReply>(subjects.emailChannel.createTicket, { ...opening, subject, description });
    await this.attachments.discard(orgId, refusedAttachmentIds);
    return { outcome: 'ticket_created' as const, ticketId: ticket.id, commentId: null };
  }

  /**
   * The Cc addresses that become participants: valid addresses only, without the sender, the
   * organization's own mailboxes (plus-addresses included) and the service's sender address, which
   * would answer the desk's mail to itself; at most MAILBOX_LIMITS.ccParticipants of them.
   */
  private async participantsCopied(orgId: string, parsed: ParsedMail, sender: Sender): Promise<EmailSenderDto[]> {
    const copied = ccOf(parsed);
    if (copied.length === 0) return [];
    const ours = new Set([...(await this.mailboxes.addressesOf(orgId)), this.ownAddress, normalizeEmail(sender.email)]);
    const participants: EmailSenderDto[] = [];
    for (const { email, name } of copied) {
      const address = normalizeEmail(email);
      if (address.length > MAILBOX_LIMITS.address || !isEmail(address) || ours.has(address) || ours.has(splitReplyAddress(address).mailboxAddress)) continue;
      const displayName = name?.trim().slice(0, 200);
      participants.push(displayName ? { email: address, name: displayName } : { email: address });
      if (participants.length === MAILBOX_LIMITS.ccParticipants) break;
    }
    return participants;
  }

  /** The comment, or undefined when the ticket is not the organization's or the sender takes no part in it. */
  private async commentAsParticipant(command: MailChange & { ticketId?: string; ticketNumber?: number; replyTokenUserId?: string }) {
    try {
      const { comment, refusedAttachmentIds } = await this.commands.request<EmailCommentReply>(subjects.emailChannel.addComment, command);
      await this.attachments.discard(command.orgId, refusedAttachmentIds);
      return comment;
    } catch (error) {
      if (error instanceof CommandError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * The tickets of this organization that the referenced ids belong to, most recent reference first:
   * our own thread ids (`<ticket-<id>@domain>`), the Message-IDs of mails we sent about a ticket, and
   * those of mails received into one of the organization's mailboxes.
   */
  private async ticketsAnswered(manager: EntityManager, orgId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found: string[] = [];
    const threadIds = ids.map((id) => this.threadIdPattern.exec(id)?.[1]?.toLowerCase()).filter((id): id is string => id !== undefined);
    const rows = (await manager.query(
      `SELECT ticket_id FROM (
         SELECT ticket_id, array_position($2::text[], message_id) AS rank FROM ${DELIVERIES} WHERE message_id = ANY($2::text[]) AND ticket_id IS NOT NULL AND organization_id = $1
         UNION ALL
         SELECT message.ticket_id, array_position($2::text[], message.message_id) FROM ${MESSAGES} message JOIN ${MAILBOXES} mailbox ON mailbox.id = message.mailbox_id
          WHERE message.message_id = ANY($2::text[]) AND message.ticket_id IS NOT NULL AND mailbox.organization_id = $1
       ) known ORDER BY rank`,
      [orgId, ids],
    )) as Array<{ ticket_id: string }>;
    for (const ticketId of [...threadIds, ...rows.map((row) => row.ticket_id)]) if (!found.includes(ticketId)) found.push(ticketId);
    // The ticket service re-checks the organization of each; a few candidates are plenty.
    return found.slice(0, 5);
  }
}
