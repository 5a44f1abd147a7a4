import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TICKET_LIMITS, type CommentView, type CreateCommentCommand, type ListCommentsCommand, type Page } from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, sanitizeRichText, stripToPlainText } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AssignmentService } from '../assignment/assignment.service.js';
import type { FieldChanges } from '../history/ticket-event.entity.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { diff, historyActor, recordHistory } from '../history/ticket-history.js';
import { calendarOf } from '../organizations/organization-calendar.js';
import { Organization } from '../organizations/organization.entity.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { SlaPolicy } from '../sla/sla-policy.entity.js';
import { SlaTimers } from '../sla/sla-timers.service.js';
import { recordAgentReply, recordRequesterReply, resumeResolutionClock } from '../sla/ticket-sla.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import { Comment } from './comment.entity.js';

/** Searchable text of public comments is capped so one chatty ticket cannot grow its row without bound. */
const MAX_SEARCH_TEXT = 200_000;

export function toCommentView(comment: Comment): CommentView {
  return { id: comment.id, ticketId: comment.ticketId, authorId: comment.authorId, body: comment.body, internal: comment.internal, createdAt: comment.createdAt.toISOString() };
}

@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(SlaTimers) private readonly slaTimers: SlaTimers,
    @Inject(AssignmentService) private readonly assignment: AssignmentService,
  ) {}

  /**
   * `viaEmail`: the comment came by mail (the email channel, never a caller's payload), which has
   * checked that the sender takes part in the ticket (requester, Cc participant, or the holder of a
   * reply token), so the ticket is looked up in the organization alone. A sender address proves
   * nothing: a staff member's mail is an agent reply (response targets met, the ticket opened) only
   * when `replyToken` vouches for it (DESIGN section 13).
   */
  async create(command: CreateCommentCommand, options: { viaEmail?: { replyToken: boolean }; id?: string } = {}): Promise<CommentView> {
    const internal = command.internal ?? false;
    const body = sanitizeRichText(command.body);
    if (!stripToPlainText(body)) throw new CommandError('VALIDATION', 'body must contain text');
    const { comment, ticket } = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verify(command.principal, manager);
      const ticket = options.viaEmail ? await this.tickets.findInOrganization(manager, caller.orgId, command.ticketId, true) : await this.tickets.findVisible(manager, caller, command.ticketId, true);
      if (internal && !caller.staff) throw new CommandError('FORBIDDEN', 'Customers cannot write internal notes');
      // `options.id` (the email channel's): the same comment asked again answers the first one; the ticket's lock orders the two.
      const earlier = options.id ? await manager.findOneBy(Comment, { id: options.id, ticketId: ticket.id, organizationId: caller.orgId }) : null;
      if (earlier) return { comment: earlier, ticket };
      const { comment, ticket: saved, changes } = await this.writeLocked(manager, caller, ticket, { body, internal, viaEmail: options.viaEmail, id: options.id });
      await recordHistory(manager, { organizationId: caller.orgId, ticketId: ticket.id, ...historyActor(caller), action: 'commented', changes: { comment: { from: null, to: { id: comment.id, internal } }, ...changes } });
      return { comment, ticket: saved };
    });
    this.events.committed();
    void this.slaTimers.schedule(ticket);
    return toCommentView(comment);
  }

  /**
   * A comment on a ticket locked by the caller's transaction (body already sanitized): saved, its
   * effect on the ticket applied (an agent's public reply answers it, the requester's reopens it),
   * and announced as `comment.created` (and `ticket.status_changed`). The history row is the
   * caller's to write; answers the ticket fields the comment changed.
   */
  async writeLocked(
    manager: EntityManager,
    caller: VerifiedPrincipal,
    ticket: Ticket,
    { body, internal, viaEmail, id, eventData = {} }: { body: string; internal: boolean; viaEmail?: { replyToken: boolean }; id?: string; eventData?: Record<string, unknown> },
  ): Promise<{ comment: Comment; ticket: Ticket; changes: FieldChanges }> {
    if (ticket.status === 'closed') throw new CommandError('CONFLICT', 'Closed tickets accept no comments; open a new ticket instead');
    const comment = await manager.save(manager.create(Comment, { ...(id ? { id } : {}), organizationId: caller.orgId, ticketId: ticket.id, authorId: caller.userId, body, internal }));
    const before = { ...ticket };
    if (!internal) {
      const organization = await manager.findOneByOrFail(Organization, { id: caller.orgId });
      const calendar = calendarOf(organization);
      const policy = ticket.slaPolicyId ? await manager.findOneBy(SlaPolicy, { id: ticket.slaPolicyId }) : null;
      const now = comment.createdAt;
      if (caller.staff) {
        if (!viaEmail || viaEmail.replyToken) {
          recordAgentReply(ticket, now);
          // Read by rule conditions (hoursSince.lastAgentReply).
          ticket.lastAgentReplyAt = now;
          if (ticket.status === 'new') ticket.status = 'open';
        }
      } else if (caller.userId === ticket.requesterId) {
        recordRequesterReply(ticket, policy, now, calendar);
        // The customer answered: the ticket is no longer waiting on them.
        if (ticket.status === 'pending' || ticket.status === 'solved') {
          if (ticket.status === 'pending') resumeResolutionClock(ticket, now, calendar, policy?.businessHoursOnly ?? true);
          ticket.status = 'open';
          ticket.resolvedAt = null;
        }
      }
      ticket.publicCommentsText = `${ticket.publicCommentsText ?? ''}\n${stripToPlainText(body)}`.slice(-MAX_SEARCH_TEXT);
    }
    const saved = await manager.save(ticket);
    // A customer reply reopened a solved ticket of a team without an assignee: the team's rule picks one.
    if (before.status !== saved.status && saved.teamId && !saved.assigneeId) this.assignment.noteTeam(manager, saved.teamId);
    const changes = diff(before, saved, ['status', 'firstRespondedAt', 'nextResponseDueAt', 'resolutionDueAt', 'resolvedAt']);
    await this.events.record(manager, {
      type: 'comment.created',
      orgId: caller.orgId,
      aggregateId: ticket.id,
      actor: actorOf(caller),
      data: {
        comment: toCommentView(comment),
        ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject, status: saved.status, requesterId: ticket.requesterId, assigneeId: ticket.assigneeId, teamId: ticket.teamId },
        authorRole: caller.role,
        ...(viaEmail ? { channel: 'email' } : {}),
        ...eventData,
      },
    });
    if (changes.status) {
      await this.events.record(manager, { type: 'ticket.status_changed', orgId: caller.orgId, aggregateId: ticket.id, actor: actorOf(caller), data: { ticket: { id: ticket.id, number: ticket.number }, from: before.status, to: saved.status, ...eventData } });
    }
    return { comment, ticket: saved, changes };
  }

  /** The conversation, oldest first unless `order` is `newest`; customers never see internal notes. */
  async list(command: ListCommentsCommand): Promise<Page<CommentView>> {
    const caller = await this.principals.verify(command.principal);
    await this.tickets.findVisible(this.dataSource.manager, caller, command.ticketId);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const newest = command.order === 'newest';
    const query = this.dataSource.manager
      .createQueryBuilder(Comment, 'comment')
      .where('comment.ticketId = :ticketId AND comment.organizationId = :orgId', { ticketId: command.ticketId, orgId: caller.orgId })
      .addSelect('comment.created_at::text', 'sort_value')
      .orderBy('comment.createdAt', newest ? 'DESC' : 'ASC')
      .addOrderBy('comment.id', newest ? 'DESC' : 'ASC')
      .limit(limit + 1);
    if (!caller.staff) query.andWhere('comment.internal = false');
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'timestamp');
      query.andWhere(`(comment.createdAt, comment.id) ${newest ? '<' : '>'} (:createdAt, :id)`, { createdAt: cursor.value, id: cursor.id });
    }
    const { entities, raw } = await query.getRawAndEntities<{ sort_value: string }>();
    const page = entities.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toCommentView), nextCursor: entities.length > limit && last ? encodeCursor({ value: raw[page.length - 1]!.sort_value, id: last.id }) : null };
  }
}
