import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAILBOX_LIMITS, PAGE_SIZE, type AddParticipantCommand, type Page, type PageCommand, type ParticipantRefCommand, type TicketParticipantView, type TicketRefCommand } from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, normalizeEmail, stripToPlainText, type KeysetCursor } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { historyActor, recordHistory } from '../history/ticket-history.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import type { Ticket } from './ticket.entity.js';
import { ticketEventData } from './ticket-view.js';
import { TicketsService } from './tickets.service.js';

const USERS = `${TICKET_SCHEMA}.users`;
const PARTICIPANTS = `${TICKET_SCHEMA}.ticket_participants`;

interface ParticipantRow {
  user_id: string;
  name: string;
  email: string;
  bouncing_since: Date | null;
  created_at: Date;
  /** created_at as PostgreSQL's text, microseconds kept, for the cursor. */
  sort_value: string;
}

function toView(row: ParticipantRow, forStaff: boolean): TicketParticipantView {
  return {
    userId: row.user_id,
    name: row.name,
    email: row.email,
    ...(forStaff ? { bouncingSince: row.bouncing_since ? row.bouncing_since.toISOString() : null } : {}),
    addedAt: row.created_at.toISOString(),
  };
}

/**
 * The people copied on a ticket (DESIGN section 13), as the console shows and staff manage them.
 * Inbound mail adds them from its Cc (`email/ticket-participants.ts`); here staff add and remove
 * them by hand, each change recorded in the ticket's history and announced as `ticket.updated`
 * (changes `participants`), so open ticket pages refresh.
 */
@Injectable()
export class TicketParticipantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  /** Staff, and the requester on their own ticket (who Cc'd them), see who is copied; the bounce mark is staff's. */
  async list(command: PageCommand): Promise<Page<TicketParticipantView>> {
    const caller = await this.principals.verify(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const after = command.cursor ? decodeCursor(command.cursor, 'timestamp') : undefined;
    await this.tickets.findVisible(this.dataSource.manager, caller, command.ticketId);
    const rows = await this.rows(this.dataSource.manager, command.ticketId, { after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map((row) => toView(row, caller.staff)), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.sort_value, id: last.user_id }) : null };
  }

  async add(command: AddParticipantCommand): Promise<TicketParticipantView> {
    const participant = await this.dataSource.transaction(async (manager) => {
      const { caller, ticket } = await this.staffAndTicket(manager, command);
      const email = normalizeEmail(command.email);
      // The row lock on the ticket (staffAndTicket) serializes additions, so the count below holds.
      const [person] = (await manager.query(
        `INSERT INTO ${USERS} (organization_id, email, name, role)
         VALUES ($1, $2, $3, 'customer')
         ON CONFLICT (organization_id, lower(email)) DO UPDATE SET email = ${USERS}.email
         RETURNING id, role, active, email`,
        [caller.orgId, email, stripToPlainText(command.name ?? '') || email.split('@')[0]!],
      )) as Array<{ id: string; role: string; active: boolean; email: string }>;
      if (person!.role !== 'customer') throw new CommandError('VALIDATION', `${email} belongs to staff, who see every ticket: only customers are copied on a ticket`);
      if (!person!.active) throw new CommandError('VALIDATION', `${email} belongs to a deactivated account`);
      if (person!.id === ticket.requesterId) throw new CommandError('CONFLICT', `${email} is the ticket's requester`);
      const [counts] = (await manager.query(`SELECT count(*)::int AS total, bool_or(user_id = $2) AS present FROM ${PARTICIPANTS} WHERE ticket_id = $1`, [ticket.id, person!.id])) as Array<{
        total: number;
        present: boolean | null;
      }>;
      if (counts!.present) throw new CommandError('CONFLICT', `${email} is already a participant of this ticket`);
      if (counts!.total >= MAILBOX_LIMITS.ticketParticipants) {
        throw new CommandError('CONFLICT', `A ticket keeps at most ${MAILBOX_LIMITS.ticketParticipants} participants; remove one before adding another`);
      }
      await manager.query(`INSERT INTO ${PARTICIPANTS} (ticket_id, user_id, organization_id) VALUES ($1, $2, $3)`, [ticket.id, person!.id, caller.orgId]);
      await this.recordChange(manager, caller, ticket, { from: null, to: person!.email }, 'participant.added');
      const [row] = await this.rows(manager, ticket.id, { userId: person!.id });
      return row!;
    });
    this.events.committed();
    return toView(participant, true);
  }

  async remove(command: ParticipantRefCommand): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { caller, ticket } = await this.staffAndTicket(manager, command);
      const [removed] = (await manager.query(
        // A CTE: TypeORM answers a bare DELETE as [rows, count].
        `WITH removed AS (DELETE FROM ${PARTICIPANTS} WHERE ticket_id = $1 AND user_id = $2 RETURNING user_id)
         SELECT person.email FROM removed JOIN ${USERS} person ON person.id = removed.user_id`,
        [ticket.id, command.userId],
      )) as Array<{ email: string }>;
      if (!removed) throw new CommandError('NOT_FOUND', 'That user is not a participant of this ticket');
      await this.recordChange(manager, caller, ticket, { from: removed.email, to: null }, 'participant.removed');
    });
    this.events.committed();
  }

  private async staffAndTicket(manager: EntityManager, command: TicketRefCommand): Promise<{ caller: VerifiedPrincipal; ticket: Ticket }> {
    const caller = await this.principals.verify(command.principal, manager);
    // Not found before forbidden: a customer learns nothing about tickets that are not theirs.
    const ticket = await this.tickets.findVisible(manager, caller, command.ticketId, true);
    if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may change who is copied on a ticket');
    return { caller, ticket };
  }

  private async recordChange(manager: EntityManager, caller: VerifiedPrincipal, ticket: Ticket, change: { from: string | null; to: string | null }, action: 'participant.added' | 'participant.removed') {
    await recordHistory(manager, { organizationId: caller.orgId, ticketId: ticket.id, ...historyActor(caller), action, changes: { participants: change } });
    await this.events.record(manager, {
      type: 'ticket.updated',
      orgId: caller.orgId,
      aggregateId: ticket.id,
      actor: actorOf(caller),
      data: { ticket: ticketEventData(ticket), changes: { participants: change } },
    });
  }

  /** Oldest first, keyset on (created_at, user_id): one participant, or a page after a cursor. */
  private async rows(manager: EntityManager, ticketId: string, { userId, after, limit }: { userId?: string; after?: KeysetCursor; limit?: number } = {}): Promise<ParticipantRow[]> {
    return (await manager.query(
      `SELECT participant.user_id, person.name, person.email, person.bouncing_since, participant.created_at, participant.created_at::text AS sort_value
         FROM ${PARTICIPANTS} participant JOIN ${USERS} person ON person.id = participant.user_id
        WHERE participant.ticket_id = $1 AND ($2::uuid IS NULL OR participant.user_id = $2)
          AND ($3::timestamptz IS NULL OR (participant.created_at, participant.user_id) > ($3::timestamptz, $4::uuid))
        ORDER BY participant.created_at, participant.user_id
        LIMIT $5`,
      [ticketId, userId ?? null, after?.value ?? null, after?.id ?? null, limit ?? null],
    )) as ParticipantRow[];
  }
}
