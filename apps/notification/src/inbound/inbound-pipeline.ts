import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandClient, CommandError } from '@helpdesk/common';
import { subjects, type EmailCommentReply, type EmailTicketReply, type InboundResultView } from '@helpdesk/contracts';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { mailDomain } from '../mail/threading.js';
import { NotificationConfig } from '../notification.config.js';
import type { InboundMailbox } from '../mailboxes/mailboxes.service.js';
import { classifyInboundMail } from './mail-classification.js';
import { bodyOf, messageIdOf, referencedMessageIds, senderOf, subjectOf, subjectTicketNumber } from './inbound-content.js';

const MESSAGES = `${NOTIFICATION_SCHEMA}.inbound_messages`;
const DELIVERIES = `${NOTIFICATION_SCHEMA}.deliveries`;
const MAILBOXES = `${NOTIFICATION_SCHEMA}.mailboxes`;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface InboundMessageRow {
  id: string;
  message_id: string;
  outcome: 'ticket_created' | 'comment_added' | null;
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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(NotificationConfig) config: NotificationConfig,
  ) {
    const domain = mailDomain(config.DEFAULT_FROM_EMAIL).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.threadIdPattern = new RegExp(`^<ticket-(${UUID})@${domain}>$`, 'i');
  }

  async ingest(mailbox: InboundMailbox, raw: Buffer, objectKey: string): Promise<InboundResultView> {
    // keepDeliveryStatus: a bounce keeps its report part, which names the failed recipients (classifyInboundMail).
    const parsed = await simpleParser(raw, { skipImageLinks: true, maxHtmlLengthToParse: 5 * 1024 * 1024, keepDeliveryStatus: true });
    const { kind } = classifyInboundMail(parsed);
    const messageId = messageIdOf(parsed, raw);
    const sender = senderOf(parsed);
    if (!sender) throw new CommandError('VALIDATION', 'The message has no sender address (From)');
    // Committed before the ticket change, so its id survives a crash: the id is the change's (changeId), and the
    // ticket service answers a change it has made already with what it made, never a second ticket or comment.
    await this.dataSource.query(
      `INSERT INTO ${MESSAGES} (id, mailbox_id, organization_id, message_id, sender, object_key, kind) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (mailbox_id, message_id) DO NOTHING`,
      // Time-ordered, as the ticket service's own ids.
      [uuidv7(), mailbox.id, mailbox.organizationId, messageId, sender.email, objectKey, kind],
    );
    return this.dataSource.transaction(async (manager) => {
      // Held until the ticket change is recorded: a concurrent copy of this message waits here.
      const [record] = (await manager.query(`SELECT * FROM ${MESSAGES} WHERE mailbox_id = $1 AND message_id = $2 FOR UPDATE`, [mailbox.id, messageId])) as InboundMessageRow[];
      if (record!.outcome) return { messageId, outcome: 'duplicate', ticketId: record!.ticket_id!, commentId: record!.comment_id };
      const result = await this.apply(manager, mailbox, parsed, sender, record!.id);
      await manager.query(`UPDATE ${MESSAGES} SET outcome = $2, ticket_id = $3, comment_id = $4, processed_at = now(), object_key = $5 WHERE id = $1`, [
        record!.id,
        result.outcome,
        result.ticketId,
        result.commentId,
        objectKey,
      ]);
      this.logger.log({ message: `Inbound mail ${result.outcome}`, orgId: mailbox.organizationId, mailboxId: mailbox.id, ticketId: result.ticketId });
      return { messageId, ...result };
    });
  }

  /** Threading in the design's order: replies to known mails, then a participant's subject tag, else a new ticket. */
  private async apply(manager: EntityManager, mailbox: InboundMailbox, parsed: ParsedMail, sender: { email: string; name?: string }, changeId: string) {
    const body = bodyOf(parsed);
    const subject = subjectOf(parsed);
    const orgId = mailbox.organizationId;
    for (const ticketId of await this.ticketsAnswered(manager, orgId, referencedMessageIds(parsed))) {
      const comment = await this.commentAsParticipant({ orgId, changeId, ticketId, sender, body });
      if (comment) return { outcome: 'comment_added' as const, ticketId: comment.ticketId, commentId: comment.id };
    }
    const ticketNumber = subjectTicketNumber(subject);
    if (ticketNumber !== undefined) {
      const comment = await this.commentAsParticipant({ orgId, changeId, ticketNumber, sender, body });
      if (comment) return { outcome: 'comment_added' as const, ticketId: comment.ticketId, commentId: comment.id };
    }
    const { ticket } = await this.commands.request<EmailTicketReply>(subjects.emailChannel.createTicket, { orgId, changeId, sender, subject, description: body });
    return { outcome: 'ticket_created' as const, ticketId: ticket.id, commentId: null };
  }

  /** The comment, or undefined when the ticket is not the organization's or the sender takes no part in it. */
  private async commentAsParticipant(command: { orgId: string; changeId: string; ticketId?: string; ticketNumber?: number; sender: { email: string; name?: string }; body: string }) {
    try {
      return (await this.commands.request<EmailCommentReply>(subjects.emailChannel.addComment, command)).comment;
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
