import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { FINISHED_STATUSES, type EventActor, type TeamAssignment } from '@helpdesk/contracts';
import { DataSource, type EntityManager, type QueryRunner, type TransactionCommitEvent, type TransactionRollbackEvent } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { recordHistory } from '../history/ticket-history.js';
import { DomainEvents } from '../outbox/domain-events.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { ticketEventData } from '../tickets/ticket-view.js';
import { planAssignments, type Candidate } from './assignment-rule.js';

/** The actor of automatic assignments in events; history rows have no actor and name the rule. */
export const ASSIGNMENT_ACTOR: EventActor = { system: 'assignment' };
/** Tickets handed out per transaction: locks stay short, and a pass with more waiting simply runs again. */
const BATCH = 200;
/**
 * How often every replica looks for tickets still waiting: a safety net for a change whose kick was
 * lost (a replica stopped between its commit and the pass). Kicks do the real work, at once.
 */
const SWEEP_INTERVAL_MS = 30_000;
/** Pause before a failed pass runs again. */
const RETRY_DELAY_MS = 500;
/**
 * Creations into one team waiting for their turn on one replica; more than this (a burst) are
 * created unassigned at once and left to the pass, which hands out 200 per transaction.
 */
const CREATION_TURNS_WAITING = 32;
/** Longest a creation waits for its turn before it, too, is created unassigned for the pass: callers wait at most this much. */
const CREATION_TURN_WAIT_MS = 250;

interface Pending {
  teams: Set<string>;
  users: Set<string>;
}

interface Member {
  id: string;
  capacity: number | null;
}

/**
 * The team's members who may take tickets now, as a JSON array of { id, capacity } ($1 the team,
 * $2 its organization): active agents and admins of the team's organization, set online and connected.
 */
const AVAILABLE_MEMBERS_JSON = `SELECT COALESCE(json_agg(json_build_object('id', person.id, 'capacity', person.capacity)), '[]'::json)
    FROM ${TICKET_SCHEMA}.team_members member JOIN ${TICKET_SCHEMA}.users person ON person.id = member.user_id
   WHERE member.team_id = $1 AND person.organization_id = $2 AND person.active AND person.role IN ('admin', 'agent') AND person.availability = 'online'
     AND EXISTS (SELECT 1 FROM ${TICKET_SCHEMA}.staff_presence presence WHERE presence.user_id = person.id AND presence.expires_at > now())`;

interface TeamRow {
  id: string;
  organization_id: string;
  assignment: TeamAssignment;
  last_assigned_user_id: string | null;
}

/**
 * Automatic assignment (DESIGN section 14, docs/workflow.md "Assignment"). A pass over one team runs
 * in one transaction that:
 * 1. locks the team row (FOR NO KEY UPDATE: tickets may still reference the team meanwhile), so the
 *    passes of both replicas over the same team take turns and round robin's "last assigned" and
 *    every count they read are the ones the previous pass committed;
 * 2. locks its waiting tickets FOR UPDATE SKIP LOCKED: a ticket someone is editing right now is left
 *    for the pass that their commit kicks, instead of blocking this one;
 * 3. takes a transaction-scoped advisory lock per candidate agent (in one global order, so passes
 *    never deadlock): an agent in two teams is not filled by both teams' passes at once, so nobody
 *    passes their capacity; their open tickets are counted only after that lock.
 * Kicks are per replica and coalesced per team; the row lock orders them across replicas.
 */
@Injectable()
export class AssignmentService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AssignmentService.name);
  /** Teams with a pass running here; `again` asks for one more after it (a change arrived meanwhile). */
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();
  /** Kicks noted inside a transaction, run once it commits. */
  private readonly pending = new WeakMap<QueryRunner, Pending>();
  /** Per team, this replica's creations waiting to pick (see inCreationTurn). */
  private readonly creationTurns = new Map<string, { waiting: number; last: Promise<void> }>();
  /** kickUsers calls still looking up their teams: shutdown and `settled` wait for them too. */
  private readonly userKicks = new Set<Promise<void>>();
  private sweepTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    // TypeORM reports every commit and rollback to its subscribers, with the transaction's query runner.
    this.dataSource.subscribers.push({
      afterTransactionCommit: (event: TransactionCommitEvent) => this.afterTransaction(event, true),
      afterTransactionRollback: (event: TransactionRollbackEvent) => this.afterTransaction(event, false),
    });
    this.sweepTimer = setInterval(() => void this.sweep().catch((error: unknown) => this.logger.error(`Assignment sweep failed: ${String(error)}`)), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.settled();
  }

  /** Resolves when this replica has no pass running and no kick on its way to one. */
  async settled(): Promise<void> {
    while (this.running.size > 0 || this.userKicks.size > 0) {
      await Promise.allSettled([...this.userKicks, ...[...this.running.values()].map((run) => run.done)]);
    }
  }

  /**
   * A ticket of this team may be waiting: its pass runs once the transaction of `manager` commits
   * (at once when there is none), so the pass sees the change. A rollback drops the kick.
   */
  noteTeam(manager: EntityManager, teamId: string | null | undefined): void {
    if (teamId) this.pendingOf(manager, () => void this.kickTeam(teamId)).teams.add(teamId);
  }

  /** This agent may have room now (a ticket of theirs finished or moved on, they came online, capacity grew, they joined a team). */
  noteUser(manager: EntityManager, userId: string | null | undefined): void {
    if (userId) this.pendingOf(manager, () => void this.kickUsers([userId])).users.add(userId);
  }

  private pendingOf(manager: EntityManager, now: () => void): Pending {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      now();
      return { teams: new Set(), users: new Set() };
    }
    let pending = this.pending.get(runner);
    if (!pending) this.pending.set(runner, (pending = { teams: new Set(), users: new Set() }));
    return pending;
  }

  private afterTransaction(event: TransactionCommitEvent | TransactionRollbackEvent, committed: boolean): void {
    // A savepoint's release is reported too, while the outer transaction goes on.
    if (event.queryRunner.isTransactionActive) return;
    const pending = this.pending.get(event.queryRunner);
    if (!pending) return;
    this.pending.delete(event.queryRunner);
    if (!committed) return;
    for (const teamId of pending.teams) void this.kickTeam(teamId);
    if (pending.users.size > 0) void this.kickUsers([...pending.users]);
  }

  /** Assigns what the team's rule can now; resolves when this replica has no pass of the team left to run. */
  kickTeam(teamId: string): Promise<void> {
    const current = this.running.get(teamId);
    if (current) {
      current.again = true;
      return current.done;
    }
    const run = { again: false, done: Promise.resolve() };
    run.done = (async () => {
      try {
        do {
          run.again = false;
          if (this.closed) return;
          try {
            while ((await this.passTeam(teamId)) === BATCH && !this.closed);
          } catch (error) {
            // Most often the database is busy (no pooled connection in time): try again shortly rather than wait for the sweep.
            this.logger.warn(`Assignment of team ${teamId} failed, retrying: ${String(error)}`);
            await sleep(RETRY_DELAY_MS);
            run.again = true;
          }
        } while (run.again);
      } finally {
        this.running.delete(teamId);
      }
    })();
    this.running.set(teamId, run);
    return run.done;
  }

  /** Every team the users belong to with an automatic rule. */
  kickUsers(userIds: string[]): Promise<void> {
    const kick = this.kickTeamsOf(userIds).finally(() => this.userKicks.delete(kick));
    this.userKicks.add(kick);
    return kick;
  }

  private async kickTeamsOf(userIds: string[]): Promise<void> {
    try {
      const rows = (await this.dataSource.query(
        `SELECT DISTINCT team.id FROM ${TICKET_SCHEMA}.team_members member JOIN ${TICKET_SCHEMA}.teams team ON team.id = member.team_id
          WHERE member.user_id = ANY($1::uuid[]) AND team.assignment <> 'manual'`,
        [userIds],
      )) as Array<{ id: string }>;
      await Promise.all(rows.map((row) => this.kickTeam(row.id)));
    } catch (error) {
      this.logger.error(`Assignment for users ${userIds.join(', ')} failed: ${String(error)}`);
    }
  }

  /** Every team with an automatic rule and tickets waiting; expired presence is removed on the way. */
  async sweep(): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${TICKET_SCHEMA}.staff_presence WHERE expires_at <= now()`);
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT ticket.team_id AS id FROM ${TICKET_SCHEMA}.tickets ticket JOIN ${TICKET_SCHEMA}.teams team ON team.id = ticket.team_id
        WHERE ticket.assignee_id IS NULL AND ticket.status NOT IN ('solved', 'closed') AND team.assignment <> 'manual'`,
    )) as Array<{ id: string }>;
    await Promise.all(rows.map((row) => this.kickTeam(row.id)));
  }

  /** One transaction over one team (see the class comment); answers how many tickets it assigned. */
  async passTeam(teamId: string): Promise<number> {
    const assigned = await this.dataSource.transaction(async (manager) => {
      const [team] = (await manager.query(`SELECT id, organization_id, assignment, last_assigned_user_id FROM ${TICKET_SCHEMA}.teams WHERE id = $1 FOR NO KEY UPDATE`, [teamId])) as TeamRow[];
      if (!team || team.assignment === 'manual') return 0;
      const tickets = await manager
        .createQueryBuilder(Ticket, 'ticket')
        .where('ticket.teamId = :teamId AND ticket.organizationId = :orgId AND ticket.assigneeId IS NULL AND ticket.status NOT IN (:...finished)', {
          teamId: team.id,
          orgId: team.organization_id,
          finished: FINISHED_STATUSES,
        })
        .orderBy('ticket.createdAt', 'ASC')
        .addOrderBy('ticket.id', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (tickets.length === 0) return 0;
      const candidates = await this.candidates(manager, team);
      const plan = planAssignments(team.assignment, candidates, tickets.length, team.last_assigned_user_id);
      if (plan.assignees.length === 0) return 0;
      for (const [index, assigneeId] of plan.assignees.entries()) await this.assign(manager, team, tickets[index]!, assigneeId);
      await manager.query(`UPDATE ${TICKET_SCHEMA}.teams SET last_assigned_user_id = $2 WHERE id = $1`, [team.id, plan.lastAssignedUserId]);
      return plan.assignees.length;
    });
    if (assigned > 0) this.events.committed();
    return assigned;
  }

  /**
   * The usual set-up, round robin among members without a capacity, in one autocommitted statement
   * that locks the team row only while it runs: the next available member after the team's last one
   * becomes its last one and is answered, for the creation to insert its ticket with. Nothing else
   * needs the team held until that insert commits: nobody's capacity can be passed, and everyone has
   * room, so tickets waiting meanwhile are the pass's at once. If the insert fails, that member's
   * turn is skipped, as if they had taken a ticket. Undefined for any other rule, a member with a
   * capacity, or nobody available: pickForNewTicket decides then.
   */
  async takeRoundRobinTurn(teamId: string, orgId: string): Promise<string | undefined> {
    // One UPDATE, no explicit lock: a concurrent turn makes PostgreSQL re-evaluate the row (and the
    // subquery reading its last member) on the version that committed, so two turns never pick alike.
    const rows = (await this.dataSource.query(
      `WITH members AS (
         SELECT member.id, member.capacity FROM json_to_recordset((${AVAILABLE_MEMBERS_JSON})) AS member(id uuid, capacity integer)
       )
       UPDATE ${TICKET_SCHEMA}.teams team
          SET last_assigned_user_id = (SELECT members.id FROM members
                                        ORDER BY (team.last_assigned_user_id IS NOT NULL AND members.id <= team.last_assigned_user_id), members.id LIMIT 1)
        WHERE team.id = $1 AND team.organization_id = $2 AND team.assignment = 'round_robin'
          AND EXISTS (SELECT 1 FROM members) AND NOT EXISTS (SELECT 1 FROM members WHERE members.capacity IS NOT NULL)
       RETURNING team.last_assigned_user_id AS assignee_id`,
      [teamId, orgId],
    )) as [Array<{ assignee_id: string }>, number];
    return rows[0][0]?.assignee_id;
  }

  /**
   * Runs a creation into the team once this replica's earlier ones have committed, so they queue
   * here, holding no pooled connection, rather than on the team's row lock; `create(true)` may pick.
   * When CREATION_TURNS_WAITING already wait, `create(false)` runs at once, and after CREATION_TURN_WAIT_MS
   * without a turn: that ticket is left to the pass, and nobody's creation is held up long by a busy team.
   * Hand-written: a keyed, bounded queue of a few lines; the libraries offer one or the other.
   */
  async inCreationTurn<T>(teamId: string, create: (mayPick: boolean) => Promise<T>): Promise<T> {
    const turn = this.creationTurns.get(teamId) ?? { waiting: 0, last: Promise.resolve() };
    if (turn.waiting >= CREATION_TURNS_WAITING) return create(false);
    turn.waiting += 1;
    this.creationTurns.set(teamId, turn);
    const previous = turn.last;
    let done!: () => void;
    turn.last = new Promise<void>((resolve) => (done = resolve));
    try {
      const hadTurn = await Promise.race([previous.then(() => true), sleep(CREATION_TURN_WAIT_MS, false, { ref: false })]);
      return await create(hadTurn);
    } finally {
      done();
      turn.waiting -= 1;
      if (turn.waiting === 0) this.creationTurns.delete(teamId);
    }
  }

  /**
   * The assignee of a ticket being created into the team, picked inside the creating transaction
   * (`manager`) under the same locks as a pass, and the team's turn advanced; so the ticket is born
   * assigned and its creation is the only event. Undefined for a manual team, when nobody is free,
   * or when older tickets wait (they go first, so the new one waits for the pass like them). Call it
   * within inCreationTurn: then at most one creation per replica waits for the team's row lock. The
   * caller's insert records the team's new turn (`lastAssignedUserId`), saving a statement while the
   * team is locked.
   */
  async pickForNewTicket(manager: EntityManager, teamId: string, orgId: string): Promise<{ assigneeId: string; assignment: TeamAssignment; lastAssignedUserId: string } | undefined> {
    const [team] = (await manager.query(
      `SELECT id, organization_id, assignment, last_assigned_user_id FROM ${TICKET_SCHEMA}.teams WHERE id = $1 AND organization_id = $2 FOR NO KEY UPDATE`,
      [teamId, orgId],
    )) as TeamRow[];
    if (!team || team.assignment === 'manual') return undefined;
    const [{ waiting, members }] = (await manager.query(
      `SELECT EXISTS (SELECT 1 FROM ${TICKET_SCHEMA}.tickets WHERE team_id = $1 AND organization_id = $2 AND assignee_id IS NULL AND status NOT IN ('solved', 'closed')) AS waiting,
              (${AVAILABLE_MEMBERS_JSON}) AS members`,
      [team.id, team.organization_id],
    )) as [{ waiting: boolean; members: Member[] }];
    if (waiting) return undefined;
    const plan = planAssignments(team.assignment, await this.counted(manager, team, members), 1, team.last_assigned_user_id);
    const assigneeId = plan.assignees[0];
    if (!assigneeId || !plan.lastAssignedUserId) return undefined;
    return { assigneeId, assignment: team.assignment, lastAssignedUserId: plan.lastAssignedUserId };
  }

  /**
   * The team's members who may take tickets now: active agents and admins of the team's own
   * organization, available (hand-set online and connected), locked against other passes, with their
   * open tickets counted after the lock.
   */
  private async candidates(manager: EntityManager, team: TeamRow): Promise<Candidate[]> {
    const [{ members }] = (await manager.query(`SELECT (${AVAILABLE_MEMBERS_JSON}) AS members`, [team.id, team.organization_id])) as [{ members: Member[] }];
    return this.counted(manager, team, members);
  }

  /**
   * The members with their open tickets counted, after locking them against other teams' passes.
   * Round robin among members without a capacity needs neither: their counts change nothing.
   */
  private async counted(manager: EntityManager, team: TeamRow, members: Member[]): Promise<Candidate[]> {
    if (members.length === 0) return [];
    if (team.assignment === 'round_robin' && members.every((member) => member.capacity === null)) return members.map((member) => ({ userId: member.id, capacity: null, open: 0 }));
    const ids = members.map((member) => member.id);
    // Ordered by the lock key itself, so every pass takes them in the same order whatever the team.
    await manager.query(
      `SELECT pg_advisory_xact_lock(key) FROM (SELECT DISTINCT hashtextextended('helpdesk.assignment:' || id::text, 0) AS key FROM unnest($1::uuid[]) AS id ORDER BY key) AS keys`,
      [ids],
    );
    const counts = (await manager.query(
      `SELECT assignee_id AS id, count(*)::int AS open FROM ${TICKET_SCHEMA}.tickets
        WHERE organization_id = $1 AND assignee_id = ANY($2::uuid[]) AND status NOT IN ('solved', 'closed') GROUP BY assignee_id`,
      [team.organization_id, ids],
    )) as Array<{ id: string; open: number }>;
    const open = new Map(counts.map((row) => [row.id, row.open]));
    return members.map((member) => ({ userId: member.id, capacity: member.capacity, open: open.get(member.id) ?? 0 }));
  }

  /** A normal ticket change: saved, a history row naming the rule (no user actor), `ticket.updated` and `ticket.assigned`. */
  private async assign(manager: EntityManager, team: TeamRow, ticket: Ticket, assigneeId: string): Promise<void> {
    ticket.assigneeId = assigneeId;
    const saved = await manager.save(ticket);
    const changes = { assigneeId: { from: null, to: assigneeId }, assignment: { from: null, to: team.assignment } };
    await recordHistory(manager, { organizationId: team.organization_id, ticketId: saved.id, actorId: null, action: 'updated', changes });
    const data = ticketEventData(saved);
    const base = { orgId: team.organization_id, aggregateId: saved.id, actor: ASSIGNMENT_ACTOR };
    await this.events.record(manager, { ...base, type: 'ticket.updated', data: { ticket: data, changes: { assigneeId: changes.assigneeId }, assignment: team.assignment } });
    await this.events.record(manager, { ...base, type: 'ticket.assigned', data: { ticket: data, previousAssigneeId: null, assignment: team.assignment } });
  }
}
