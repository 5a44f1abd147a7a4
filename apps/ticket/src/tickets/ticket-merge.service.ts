import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAILBOX_LIMITS, type MergeTicketCommand, type TicketMergedData, type TicketView } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { historyActor, recordHistory } from '../history/ticket-history.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import type { Ticket } from './ticket.entity.js';
import { lockTicketPair } from './ticket-links.service.js';
import { ticketEventData, toTicketView } from './ticket-view.js';
import { TicketsService } from './tickets.service.js';

const LINKS = `${TICKET_SCHEMA}.ticket_links`;

interface MovedContent {
  comments: number;
  attachments: number;
  participants: string[];
}

/**
 * Merging a duplicate into the ticket that carries on (DESIGN section 14): its conversation and
 * files move over with their authors and times, its people are copied on the target, and it is
 * closed with a `merged_into` link. One transaction; both tickets are locked in id order, so two
 * merges touching the same tickets wait for each other instead of deadlocking.
 */
@Injectable()
export class TicketMergeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  async merge(command: MergeTicketCommand): Promise<TicketView> {
    if (command.ticketId === command.targetId) throw new CommandError('UNPROCESSABLE', 'A ticket cannot be merged into itself');
    const { source, target } = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verify(command.principal, manager);
      const [source, target] = await lockTicketPair(manager, this.tickets, caller, command.ticketId, command.targetId);
      if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may merge tickets');
      await this.refuseUnmergeable(manager, source, target);

      const moved = await this.moveContent(manager, caller, source, target);
      await this.tickets.updateLocked(manager, caller, source, { status: 'closed' });
      // A related or parent link between the two gives way to the merge link (one link per pair).
      await manager.query(`DELETE FROM ${LINKS} WHERE (source_id = $1 AND target_id = $2) OR (source_id = $2 AND target_id = $1)`, [source.id, target.id]);
      await manager.query(`INSERT INTO ${LINKS} (organization_id, source_id, target_id, kind, created_by) VALUES ($1, $2, $3, 'merged_into', $4)`, [caller.orgId, source.id, target.id, caller.userId]);
      const [bumped] = (await manager.query(`UPDATE ${TICKET_SCHEMA}.tickets SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version, updated_at`, [target.id])) as [
        Array<{ version: number; updated_at: Date }>,
        number,
      ];
      Object.assign(target, { version: bumped[0]!.version, updatedAt: bumped[0]!.updated_at });
      await this.record(manager, caller, source, target, moved);
      return { source, target };
    });
    this.tickets.afterCommit(source);
    this.tickets.afterCommit(target);
    return toTicketView(target, true);
  }

  private async refuseUnmergeable(manager: EntityManager, source: Ticket, target: Ticket): Promise<void> {
    const merges = (await manager.query(
      `SELECT link.source_id, merged_target.number FROM ${LINKS} link JOIN ${TICKET_SCHEMA}.tickets merged_target ON merged_target.id = link.target_id
        WHERE link.kind = 'merged_into' AND link.source_id = ANY($1::uuid[])`,
      [[source.id, target.id]],
    )) as Array<{ source_id: string; number: number }>;
    const mergedInto = (ticket: Ticket) => merges.find((merge) => merge.source_id === ticket.id)?.number;
    const sourceMergedInto = mergedInto(source);
    if (sourceMergedInto !== undefined) throw new CommandError('CONFLICT', `Ticket #${source.number} was already merged into #${sourceMergedInto}`);
    if (source.status === 'closed') throw new CommandError('CONFLICT', `Ticket #${source.number} is closed: a closed ticket cannot be merged`);
    const targetMergedInto = mergedInto(target);
    if (targetMergedInto !== undefined) throw new CommandError('CONFLICT', `Ticket #${target.number} was itself merged into #${targetMergedInto}: merge into that ticket instead`);
    if (target.status === 'closed') throw new CommandError('CONFLICT', `Ticket #${target.number} is closed: nothing can be merged into it`);
  }

  /**
   * The source's opening message becomes the target's comment (its requester's, at its time), then
   * its comments and attachments move as they are; the source's requester and participants are
   * copied on the target, up to the participant limit, customers only (staff see every ticket anyway).
   */
  private async moveContent(manager: EntityManager, caller: VerifiedPrincipal, source: Ticket, target: Ticket): Promise<MovedContent> {
    if (source.description.trim()) {
      await manager.query(`INSERT INTO ${TICKET_SCHEMA}.comments (organization_id, ticket_id, author_id, body, internal, created_at) VALUES ($1, $2, $3, $4, false, $5)`, [
        caller.orgId,
        target.id,
        source.requesterId,
        source.description,
        source.createdAt,
      ]);
    }
    const [, comments] = (await manager.query(`UPDATE ${TICKET_SCHEMA}.comments SET ticket_id = $2 WHERE ticket_id = $1`, [source.id, target.id])) as [unknown, number];
    const [, attachments] = (await manager.query(`UPDATE ${TICKET_SCHEMA}.attachments SET ticket_id = $2 WHERE ticket_id = $1`, [source.id, target.id])) as [unknown, number];
    const copied = (await manager.query(
      `WITH room AS (SELECT GREATEST($4::int - count(*)::int, 0) AS free FROM ${TICKET_SCHEMA}.ticket_participants WHERE ticket_id = $2),
       candidates AS (
         SELECT person.id, person.email, 0 AS rank, $5::timestamptz AS since FROM ${TICKET_SCHEMA}.users person WHERE person.id = $1
         UNION ALL
         SELECT person.id, person.email, 1, participant.created_at FROM ${TICKET_SCHEMA}.ticket_participants participant
           JOIN ${TICKET_SCHEMA}.users person ON person.id = participant.user_id WHERE participant.ticket_id = $6
       ), wanted AS (
         SELECT candidates.id, candidates.email FROM candidates JOIN ${TICKET_SCHEMA}.users person ON person.id = candidates.id
          WHERE person.role = 'customer' AND person.active AND person.id <> $3
            AND NOT EXISTS (SELECT 1 FROM ${TICKET_SCHEMA}.ticket_participants present WHERE present.ticket_id = $2 AND present.user_id = person.id)
          ORDER BY candidates.rank, candidates.since, candidates.email
          LIMIT (SELECT free FROM room)
       ), inserted AS (
         INSERT INTO ${TICKET_SCHEMA}.ticket_participants (ticket_id, user_id, organization_id) SELECT $2, wanted.id, $7 FROM wanted ON CONFLICT DO NOTHING RETURNING user_id
       )
       SELECT wanted.email FROM wanted JOIN inserted ON inserted.user_id = wanted.id ORDER BY wanted.email`,
      [source.requesterId, target.id, target.requesterId, MAILBOX_LIMITS.ticketParticipants, source.createdAt, source.id, caller.orgId],
    )) as Array<{ email: string }>;
    return { comments: comments + (source.description.trim() ? 1 : 0), attachments, participants: copied.map((row) => row.email) };
  }

  private async record(manager: EntityManager, caller: VerifiedPrincipal, source: Ticket, target: Ticket, moved: MovedContent): Promise<void> {
    const actor = actorOf(caller);
    const sourceChanges = { mergedInto: { from: null, to: target.number } };
    const targetChanges = {
      mergedFrom: { from: null, to: source.number },
      comments: { from: null, to: moved.comments },
      attachments: { from: null, to: moved.attachments },
      ...(moved.participants.length > 0 ? { participants: { from: null, to: moved.participants } } : {}),
    };
    await recordHistory(manager, { organizationId: caller.orgId, ticketId: source.id, ...historyActor(caller), action: 'merged', changes: sourceChanges });
    await recordHistory(manager, { organizationId: caller.orgId, ticketId: target.id, ...historyActor(caller), action: 'merged', changes: targetChanges });
    await this.events.record(manager, { type: 'ticket.updated', orgId: caller.orgId, aggregateId: source.id, actor, data: { ticket: ticketEventData(source), changes: sourceChanges } });
    await this.events.record(manager, { type: 'ticket.updated', orgId: caller.orgId, aggregateId: target.id, actor, data: { ticket: ticketEventData(target), changes: targetChanges } });
    // The one event the notification service turns into the requester's mail.
    await this.events.record<TicketMergedData>(manager, {
      type: 'ticket.merged',
      orgId: caller.orgId,
      aggregateId: source.id,
      actor,
      data: { ticket: { id: source.id, number: source.number, requesterId: source.requesterId }, target: { id: target.id, number: target.number } },
    });
  }
}
