import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { FINISHED_STATUSES, PAGE_SIZE, type AddTicketLinkCommand, type Page, type PageCommand, type TicketLinkRefCommand, type TicketLinkView, type TicketLinkViewKind, type TicketStatus } from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, type KeysetCursor } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { historyActor, recordHistory } from '../history/ticket-history.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import type { Ticket } from './ticket.entity.js';
import { ticketEventData } from './ticket-view.js';
import { TicketsService } from './tickets.service.js';

const LINKS = `${TICKET_SCHEMA}.ticket_links`;
type StoredKind = 'related' | 'parent' | 'merged_into';

interface LinkRow {
  kind: StoredKind;
  outgoing: boolean;
  created_at: Date;
  /** created_at as PostgreSQL's text, microseconds kept, for the cursor. */
  sort_value: string;
  id: string;
  number: number;
  subject: string;
  status: TicketStatus;
}

/** What the other ticket of a stored link is to this one: `parent` rows point from parent to child. */
function viewKind(kind: StoredKind, outgoing: boolean): TicketLinkViewKind {
  if (kind === 'related') return 'related';
  if (kind === 'parent') return outgoing ? 'child' : 'parent';
  return outgoing ? 'merged_into' : 'merged_from';
}

function toView(row: LinkRow): TicketLinkView {
  return { kind: viewKind(row.kind, row.outgoing), ticket: { id: row.id, number: row.number, subject: row.subject, status: row.status }, createdAt: row.created_at.toISOString() };
}

/**
 * Both tickets of a pair, locked in id order: two commands on the same pair (merges, links) queue
 * behind each other instead of deadlocking. Answers them in the order asked.
 */
export async function lockTicketPair(manager: EntityManager, tickets: TicketsService, caller: VerifiedPrincipal, firstId: string, secondId: string): Promise<[Ticket, Ticket]> {
  const [lowId, highId] = firstId < secondId ? [firstId, secondId] : [secondId, firstId];
  const low = await tickets.findVisible(manager, caller, lowId, true);
  const high = await tickets.findVisible(manager, caller, highId, true);
  return firstId === lowId ? [low, high] : [high, low];
}

/**
 * Links between tickets (DESIGN section 14), stored once and shown from both sides: `related`,
 * and `parent`/`child` (a parent is finished only after its children, see TicketsService). Each
 * change is recorded in both tickets' histories and announced on both as `ticket.updated`.
 */
@Injectable()
export class TicketLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  async list(command: PageCommand): Promise<Page<TicketLinkView>> {
    const caller = await this.principals.verify(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const after = command.cursor ? decodeCursor(command.cursor, 'timestamp') : undefined;
    await this.tickets.findVisible(this.dataSource.manager, caller, command.ticketId);
    if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may see ticket links');
    const rows = await this.rows(this.dataSource.manager, caller.orgId, command.ticketId, { after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.sort_value, id: last.id }) : null };
  }

  async add(command: AddTicketLinkCommand): Promise<TicketLinkView> {
    if (command.ticketId === command.targetId) throw new CommandError('UNPROCESSABLE', 'A ticket cannot be linked to itself');
    const view = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verify(command.principal, manager);
      // Cycles can close through any number of tickets: parent/child links of one organization are made one at a time.
      if (command.kind !== 'related') await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`ticket-hierarchy:${caller.orgId}`]);
      const [ticket, other] = await lockTicketPair(manager, this.tickets, caller, command.ticketId, command.targetId);
      if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may link tickets');
      const existing = await this.linkBetween(manager, ticket.id, other.id);
      if (existing) throw new CommandError('CONFLICT', `Ticket #${ticket.number} is already linked to #${other.number} (${viewKind(existing.kind, existing.outgoing)})`);
      let stored: { sourceId: string; targetId: string; kind: StoredKind } = { sourceId: ticket.id, targetId: other.id, kind: 'related' };
      if (command.kind !== 'related') {
        const [parent, child] = command.kind === 'parent' ? [other, ticket] : [ticket, other];
        await this.refuseBadHierarchy(manager, parent, child);
        stored = { sourceId: parent.id, targetId: child.id, kind: 'parent' };
      }
      await manager.query(`INSERT INTO ${LINKS} (organization_id, source_id, target_id, kind, created_by) VALUES ($1, $2, $3, $4, $5)`, [
        caller.orgId,
        stored.sourceId,
        stored.targetId,
        stored.kind,
        caller.userId,
      ]);
      await this.recordChange(manager, caller, ticket, other, 'link.added', command.kind);
      const [row] = await this.rows(manager, caller.orgId, ticket.id, { otherId: other.id });
      return toView(row!);
    });
    this.events.committed();
    return view;
  }

  async remove(command: TicketLinkRefCommand): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verify(command.principal, manager);
      const [ticket, other] = await lockTicketPair(manager, this.tickets, caller, command.ticketId, command.targetId);
      if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may unlink tickets');
      const existing = await this.linkBetween(manager, ticket.id, other.id);
      if (!existing) throw new CommandError('NOT_FOUND', `Ticket #${ticket.number} is not linked to #${other.number}`);
      if (existing.kind === 'merged_into') throw new CommandError('CONFLICT', 'A merge cannot be undone by removing its link');
      await manager.query(`DELETE FROM ${LINKS} WHERE id = $1`, [existing.id]);
      await this.recordChange(manager, caller, ticket, other, 'link.removed', viewKind(existing.kind, existing.outgoing));
    });
    this.events.committed();
  }

  /** No cycles (the parent may not descend from the child), and no open child under a finished parent. */
  private async refuseBadHierarchy(manager: EntityManager, parent: Ticket, child: Ticket): Promise<void> {
    const [cycle] = (await manager.query(
      `WITH RECURSIVE descendants AS (
         SELECT target_id FROM ${LINKS} WHERE source_id = $1 AND kind = 'parent'
         UNION
         SELECT link.target_id FROM ${LINKS} link JOIN descendants ON link.source_id = descendants.target_id WHERE link.kind = 'parent'
       )
       SELECT 1 FROM descendants WHERE target_id = $2 LIMIT 1`,
      [child.id, parent.id],
    )) as unknown[];
    if (cycle) throw new CommandError('UNPROCESSABLE', `Ticket #${parent.number} cannot be the parent of #${child.number}: it already descends from it, which would make a cycle`);
    if (FINISHED_STATUSES.includes(parent.status) && !FINISHED_STATUSES.includes(child.status)) {
      throw new CommandError('CONFLICT', `Ticket #${parent.number} is ${parent.status}: reopen it before giving it the open child #${child.number}`);
    }
  }

  private async linkBetween(manager: EntityManager, ticketId: string, otherId: string): Promise<{ id: string; kind: StoredKind; outgoing: boolean } | undefined> {
    const [row] = (await manager.query(
      `SELECT id, kind, source_id = $1 AS outgoing FROM ${LINKS} WHERE (source_id = $1 AND target_id = $2) OR (source_id = $2 AND target_id = $1)`,
      [ticketId, otherId],
    )) as Array<{ id: string; kind: StoredKind; outgoing: boolean }>;
    return row;
  }

  /** Each side's history and event name the other ticket and what it is to that side (`kind`: what `other` is to `ticket`). */
  private async recordChange(manager: EntityManager, caller: VerifiedPrincipal, ticket: Ticket, other: Ticket, action: 'link.added' | 'link.removed', kind: TicketLinkViewKind): Promise<void> {
    const actor = actorOf(caller);
    for (const [side, counterpart, kindSeen] of [
      [ticket, other, kind],
      [other, ticket, mirror(kind)],
    ] as const) {
      const link = { kind: kindSeen, ticket: counterpart.number };
      const changes = { links: action === 'link.added' ? { from: null, to: link } : { from: link, to: null } };
      await recordHistory(manager, { organizationId: caller.orgId, ticketId: side.id, ...historyActor(caller), action, changes });
      await this.events.record(manager, { type: 'ticket.updated', orgId: caller.orgId, aggregateId: side.id, actor, data: { ticket: ticketEventData(side), changes } });
    }
  }

  /** Oldest first, keyset on (created_at, the other ticket's id: a pair has one link): one link, or a page after a cursor. */
  private async rows(manager: EntityManager, orgId: string, ticketId: string, { otherId, after, limit }: { otherId?: string; after?: KeysetCursor; limit?: number } = {}): Promise<LinkRow[]> {
    return (await manager.query(
      `SELECT link.kind, link.source_id = $1 AS outgoing, link.created_at, link.created_at::text AS sort_value, other.id, other.number, other.subject, other.status
         FROM ${LINKS} link
         JOIN ${TICKET_SCHEMA}.tickets other ON other.id = CASE WHEN link.source_id = $1 THEN link.target_id ELSE link.source_id END
        WHERE (link.source_id = $1 OR link.target_id = $1) AND link.organization_id = $2 AND ($3::uuid IS NULL OR other.id = $3)
          AND ($4::timestamptz IS NULL OR (link.created_at, other.id) > ($4::timestamptz, $5::uuid))
        ORDER BY link.created_at, other.id
        LIMIT $6`,
      [ticketId, orgId, otherId ?? null, after?.value ?? null, after?.id ?? null, limit ?? null],
    )) as LinkRow[];
  }
}

/** The same link seen from the other ticket. */
function mirror(kind: TicketLinkViewKind): TicketLinkViewKind {
  const mirrored: Record<TicketLinkViewKind, TicketLinkViewKind> = { related: 'related', parent: 'child', child: 'parent', merged_into: 'merged_from', merged_from: 'merged_into' };
  return mirrored[kind];
}
