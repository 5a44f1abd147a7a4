import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandError } from '@helpdesk/common';
import type { EmailAddCommentCommand, EmailCommentReply, EmailCreateTicketCommand, EmailTicketReply, Principal, Role } from '@helpdesk/contracts';
import type { DataSource } from 'typeorm';
import { CommentsService } from '../comments/comments.service.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { findOrCreateRequester } from '../users/requesters.js';

const NOT_A_PARTICIPANT = 'Ticket not found, or the sender takes no part in it';

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
  ) {}

  /** A new ticket, channel `email`, whose requester is the sender. */
  async createTicket(command: EmailCreateTicketCommand): Promise<EmailTicketReply> {
    await this.assertOrganization(command.orgId);
    const userId = await findOrCreateRequester(this.dataSource.manager, command.orgId, command.sender.email, command.sender.name);
    const principal = await this.principalOf(command.orgId, userId);
    const ticket = await this.tickets.create({ principal, subject: command.subject, description: command.description }, { channel: 'email', id: command.changeId });
    return { ticket };
  }

  /**
   * A public comment by the sender, who must be a participant of the ticket (its requester or its
   * assignee): anyone else, a closed ticket or another organization's ticket is NOT_FOUND, and the
   * caller opens a new ticket instead. So a stranger who copies a subject tag or a Message-ID gets
   * a ticket of their own, never a voice on someone else's.
   */
  async addComment(command: EmailAddCommentCommand): Promise<EmailCommentReply> {
    if ((command.ticketId === undefined) === (command.ticketNumber === undefined)) throw new CommandError('VALIDATION', 'Name the ticket by exactly one of ticketId and ticketNumber');
    const [row] = (await this.dataSource.query(
      `SELECT ticket.id, ticket.status, person.id AS user_id, person.role
         FROM ${TICKET_SCHEMA}.tickets ticket
         JOIN ${TICKET_SCHEMA}.users person ON person.organization_id = ticket.organization_id AND lower(person.email) = lower($4) AND person.active
        WHERE ticket.organization_id = $1 AND (ticket.id = $2::uuid OR ticket.number = $3::integer)
          AND person.id IN (ticket.requester_id, ticket.assignee_id)`,
      [command.orgId, command.ticketId ?? null, command.ticketNumber ?? null, command.sender.email.trim()],
    )) as Array<{ id: string; status: string; user_id: string; role: Role }>;
    if (!row) throw new CommandError('NOT_FOUND', NOT_A_PARTICIPANT);
    if (row.status === 'closed' && !(await this.commentExists(command.changeId, row.id))) throw new CommandError('NOT_FOUND', NOT_A_PARTICIPANT);
    const principal: Principal = { orgId: command.orgId, userId: row.user_id, role: row.role };
    const comment = await this.comments.create({ principal, ticketId: row.id, body: command.body, internal: false }, { viaEmail: true, id: command.changeId });
    return { comment };
  }

  private async commentExists(commentId: string, ticketId: string): Promise<boolean> {
    return ((await this.dataSource.query(`SELECT 1 FROM ${TICKET_SCHEMA}.comments WHERE id = $1 AND ticket_id = $2`, [commentId, ticketId])) as unknown[]).length > 0;
  }

  private async assertOrganization(orgId: string): Promise<void> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM ${TICKET_SCHEMA}.organizations WHERE id = $1`, [orgId])) as unknown[];
    if (rows.length === 0) throw new CommandError('NOT_FOUND', 'Organization not found');
  }

  private async principalOf(orgId: string, userId: string): Promise<Principal> {
    const [row] = (await this.dataSource.query(`SELECT role FROM ${TICKET_SCHEMA}.users WHERE id = $1 AND organization_id = $2`, [userId, orgId])) as Array<{ role: Role }>;
    if (!row) throw new CommandError('NOT_FOUND', 'Sender not found');
    return { orgId, userId, role: row.role };
  }
}
