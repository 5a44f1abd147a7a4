import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandError } from '@helpdesk/common';
import type { EmailAddCommentCommand, EmailCommentReply, EmailCreateTicketCommand, EmailTicketReply, Principal, Role } from '@helpdesk/contracts';
import type { DataSource } from 'typeorm';
import { CommentsService } from '../comments/comments.service.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { BouncingAddresses } from '../users/bouncing-addresses.js';
import { findOrCreateMailSender } from '../users/requesters.js';
import { MailAttachments } from './mail-attachments.js';
import { addParticipants } from './ticket-participants.js';

const NOT_A_PARTICIPANT = 'Ticket not found, or the sender takes no part in it';
/** How many merges a reply follows from the ticket it names (a merged target may itself be merged later). */
export const MERGE_HOPS = 5;

/**
 * Ticket changes on behalf of the sender of a mail, for the notification service only (NATS
 * permissions let no other service publish these subjects). The organization is the mailbox's,
 * asserted by the notification service; the sender acts only inside it: as the organization's user
 * with that address, or as a new customer without a password when a new ticket is opened.
 */
@Injectable()
export class EmailChannelService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(CommentsService) private readonly comments: CommentsService,
    @Inject(BouncingAddresses) private readonly bouncing: BouncingAddresses,
    @Inject(MailAttachments) private readonly attachments: MailAttachments,
  ) {}

  /** A new ticket, channel `email`, whose requester is the sender; the mail's Cc addresses become its participants. */
  async createTicket(command: EmailCreateTicketCommand): Promise<EmailTicketReply> {
    const sender = await findOrCreateMailSender(this.dataSource, command.orgId, command.sender.email, command.sender.name);
    const principal: Principal = { orgId: command.orgId, userId: sender.id, role: sender.role };
    const { kept, refused } = await this.attachments.splitByQuota(command.orgId, command.attachments);
    const description = this.attachments.withRefusals(command.description, refused);
    const ticket = await this.tickets.create({ principal, subject: command.subject, description }, { channel: 'email', id: command.changeId });
    await addParticipants(this.dataSource.manager, command.orgId, ticket.id, command.cc);
    // Only a marked sender costs a transaction: nearly every mail comes from an address that works.
    if (sender.bouncing) await this.bouncing.clearOnMailFrom(command.orgId, command.sender.email);
    await this.attachments.record({ principal, ticketId: ticket.id, commentId: null }, kept);
    return { ticket, refusedAttachmentIds: refused.map((attachment) => attachment.id) };
  }

  /**
   * A public comment by the sender, who must take part in the ticket:
   * - with a reply token (`replyTokenUserId`), the sender is the user it was issued to: staff post an
   *   agent reply, a customer must still be the requester or a participant;
   * - without one, the sender is a customer who is the requester or a Cc participant. Staff never
   *   act by their From address alone (anyone can write it): their mail without a token answers
   *   NOT_FOUND too, so it opens a ticket of its own and never reaches the customer as a reply.
   * Anyone else, a closed ticket or another organization's ticket is NOT_FOUND, and the caller tries
   * its next threading rule or opens a new ticket. So a stranger who copies a subject tag, a
   * Message-ID or someone else's reply address gets a ticket of their own, never a voice on another's.
   */
  async addComment(command: EmailAddCommentCommand): Promise<EmailCommentReply> {
    if ((command.ticketId === undefined) === (command.ticketNumber === undefined)) throw new CommandError('VALIDATION', 'Name the ticket by exactly one of ticketId and ticketNumber');
    const [row] = (await this.dataSource.query(
      `SELECT ticket.id, ticket.status, person.id AS user_id, person.role, person.bouncing_since IS NOT NULL AS bouncing
         FROM ${TICKET_SCHEMA}.tickets ticket
         JOIN ${TICKET_SCHEMA}.users person ON person.organization_id = ticket.organization_id AND lower(person.email) = lower($4) AND person.active
        WHERE ticket.organization_id = $1 AND (ticket.id = $2::uuid OR ticket.number = $3::integer)
          AND CASE WHEN $5::uuid IS NULL THEN person.role = 'customer' ELSE person.id = $5::uuid END
          AND (($5::uuid IS NOT NULL AND person.role <> 'customer') OR person.id = ticket.requester_id
            OR EXISTS (SELECT 1 FROM ${TICKET_SCHEMA}.ticket_participants participant WHERE participant.ticket_id = ticket.id AND participant.user_id = person.id))`,
      [command.orgId, command.ticketId ?? null, command.ticketNumber ?? null, command.sender.email.trim(), command.replyTokenUserId ?? null],
    )) as Array<{ id: string; status: string; user_id: string; role: Role; bouncing: boolean }>;
    if (!row) throw new CommandError('NOT_FOUND', NOT_A_PARTICIPANT);
    let ticketId = row.id;
    if (row.status === 'closed') {
      // A merged ticket is closed, and its conversation goes on in its target: the reply lands there, not in a new ticket.
      const target = await this.mergeTarget(command.orgId, row.id);
      if (target && (target.status !== 'closed' || (await this.commentExists(command.changeId, target.id)))) ticketId = target.id;
      else if (!(await this.commentExists(command.changeId, row.id))) throw new CommandError('NOT_FOUND', NOT_A_PARTICIPANT);
    }
    const principal: Principal = { orgId: command.orgId, userId: row.user_id, role: row.role };
    const viaEmail = { replyToken: command.replyTokenUserId !== undefined };
    const { kept, refused } = await this.attachments.splitByQuota(command.orgId, command.attachments);
    const body = this.attachments.withRefusals(command.body, refused);
    const comment = await this.comments.create({ principal, ticketId, body, internal: false }, { viaEmail, id: command.changeId });
    // Someone of the merged ticket the merge could not copy (the target was full) is copied now if there is room, so they hear the answer.
    if (ticketId !== row.id && row.role === 'customer') await addParticipants(this.dataSource.manager, command.orgId, ticketId, [command.sender]);
    await addParticipants(this.dataSource.manager, command.orgId, ticketId, command.cc);
    if (row.bouncing) await this.bouncing.clearOnMailFrom(command.orgId, command.sender.email);
    await this.attachments.record({ principal, ticketId, commentId: comment.id }, kept);
    return { comment, refusedAttachmentIds: refused.map((attachment) => attachment.id) };
  }

  /**
   * The end of the chain of merges from a merged ticket (at most MERGE_HOPS of them), or undefined when
   * the ticket was closed without being merged. Staff can follow each hop in the tickets' history.
   */
  private async mergeTarget(orgId: string, ticketId: string): Promise<{ id: string; status: string } | undefined> {
    const chain = (await this.dataSource.query(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT $1::uuid, 0
         UNION ALL
         SELECT link.target_id, chain.depth + 1 FROM chain
           JOIN ${TICKET_SCHEMA}.ticket_links link ON link.source_id = chain.id AND link.kind = 'merged_into' AND link.organization_id = $2
          WHERE chain.depth < $3
       )
       SELECT ticket.id, ticket.status FROM chain JOIN ${TICKET_SCHEMA}.tickets ticket ON ticket.id = chain.id AND ticket.organization_id = $2
        WHERE chain.depth > 0 ORDER BY chain.depth DESC LIMIT 1`,
      [ticketId, orgId, MERGE_HOPS],
    )) as Array<{ id: string; status: string }>;
    return chain[0];
  }

  private async commentExists(commentId: string, ticketId: string): Promise<boolean> {
    return ((await this.dataSource.query(`SELECT 1 FROM ${TICKET_SCHEMA}.comments WHERE id = $1 AND ticket_id = $2`, [commentId, ticketId])) as unknown[]).length > 0;
  }
}
