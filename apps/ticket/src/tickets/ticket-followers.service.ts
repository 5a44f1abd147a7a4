import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PAGE_SIZE, type Page, type PageCommand, type TicketFollowerView, type TicketRefCommand } from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, type KeysetCursor } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { historyActor, recordHistory } from '../history/ticket-history.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import type { Ticket } from './ticket.entity.js';
import { ticketEventData } from './ticket-view.js';
import { TicketsService } from './tickets.service.js';

const USERS = `${TICKET_SCHEMA}.users`;
const FOLLOWERS = `${TICKET_SCHEMA}.ticket_followers`;

interface FollowerRow {
  user_id: string;
  name: string;
  created_at: Date;
  /** created_at as PostgreSQL's text, microseconds kept, for the cursor. */
  sort_value: string;
}

const toView = (row: FollowerRow): TicketFollowerView => ({ userId: row.user_id, name: row.name, followedAt: row.created_at.toISOString() });

/**
 * The staff following a ticket (issue 18): each follows or unfollows it for themselves, and the
 * notification service mails them its new comments and status changes. Each change is recorded in
 * the ticket's history and announced as `ticket.updated` (changes `followers`), so open ticket
 * pages refresh.
 */
@Injectable()
export class TicketFollowersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  async list(command: PageCommand): Promise<Page<TicketFollowerView>> {
    const limit = command.limit ?? PAGE_SIZE.default;
    const after = command.cursor ? decodeCursor(command.cursor, 'timestamp') : undefined;
    await this.staffAndTicket(this.dataSource.manager, command, false);
    const rows = await this.rows(this.dataSource.manager, command.ticketId, { after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.sort_value, id: last.user_id }) : null };
  }

  /** The caller follows the ticket. */
  async follow(command: TicketRefCommand): Promise<TicketFollowerView> {
    const follower = await this.dataSource.transaction(async (manager) => {
      const { caller, ticket } = await this.staffAndTicket(manager, command, true);
      const inserted = (await manager.query(
        `INSERT INTO ${FOLLOWERS} (ticket_id, user_id, organization_id) VALUES ($1, $2, $3) ON CONFLICT (ticket_id, user_id) DO NOTHING RETURNING user_id`,
        [ticket.id, caller.userId, caller.orgId],
      )) as Array<{ user_id: string }>;
      if (inserted.length === 0) throw new CommandError('CONFLICT', 'You already follow this ticket');
      const [row] = await this.rows(manager, ticket.id, { userId: caller.userId });
      await this.recordChange(manager, caller, ticket, { from: null, to: row!.name }, 'follower.added');
      return row!;
    });
    this.events.committed();
    return toView(follower);
  }

  /** The caller stops following the ticket. */
  async unfollow(command: TicketRefCommand): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { caller, ticket } = await this.staffAndTicket(manager, command, true);
      const [removed] = (await manager.query(
        // A CTE: TypeORM answers a bare DELETE as [rows, count].
        `WITH removed AS (DELETE FROM ${FOLLOWERS} WHERE ticket_id = $1 AND user_id = $2 RETURNING user_id)
         SELECT person.name FROM removed JOIN ${USERS} person ON person.id = removed.user_id`,
        [ticket.id, caller.userId],
      )) as Array<{ name: string }>;
      if (!removed) throw new CommandError('NOT_FOUND', 'You do not follow this ticket');
      await this.recordChange(manager, caller, ticket, { from: removed.name, to: null }, 'follower.removed');
    });
    this.events.committed();
  }

  private async staffAndTicket(manager: EntityManager, command: TicketRefCommand, lock: boolean): Promise<{ caller: VerifiedPrincipal; ticket: Ticket }> {
    const caller = await this.principals.verify(command.principal, manager);
    // Not found before forbidden: a customer learns nothing about tickets that are not theirs.
    const ticket = await this.tickets.findVisible(manager, caller, command.ticketId, lock);
    if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins follow tickets');
    return { caller, ticket };
  }

  private async recordChange(manager: EntityManager, caller: VerifiedPrincipal, ticket: Ticket, change: { from: string | null; to: string | null }, action: 'follower.added' | 'follower.removed') {
    await recordHistory(manager, { organizationId: caller.orgId, ticketId: ticket.id, ...historyActor(caller), action, changes: { followers: change } });
    await this.events.record(manager, {
      type: 'ticket.updated',
      orgId: caller.orgId,
      aggregateId: ticket.id,
      actor: actorOf(caller),
      data: { ticket: ticketEventData(ticket), changes: { followers: change } },
    });
  }

  /** Oldest first, keyset on (created_at, user_id): one follower, or a page after a cursor. */
  private async rows(manager: EntityManager, ticketId: string, { userId, after, limit }: { userId?: string; after?: KeysetCursor; limit?: number } = {}): Promise<FollowerRow[]> {
    return (await manager.query(
      `SELECT follower.user_id, person.name, follower.created_at, follower.created_at::text AS sort_value
         FROM ${FOLLOWERS} follower JOIN ${USERS} person ON person.id = follower.user_id
        WHERE follower.ticket_id = $1 AND ($2::uuid IS NULL OR follower.user_id = $2)
          AND ($3::timestamptz IS NULL OR (follower.created_at, follower.user_id) > ($3::timestamptz, $4::uuid))
        ORDER BY follower.created_at, follower.user_id
        LIMIT $5`,
      [ticketId, userId ?? null, after?.value ?? null, after?.id ?? null, limit ?? null],
    )) as FollowerRow[];
  }
}
