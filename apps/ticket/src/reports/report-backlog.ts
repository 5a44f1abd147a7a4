import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RepeatingJob } from '@helpdesk/common';
import { REPORT_LIMITS, type BacklogPoint } from '@helpdesk/contracts';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';

const S = TICKET_SCHEMA;
const FINISHED = `('solved', 'closed')`;
/** History rows that change what a backlog counts a ticket under (the partial index of migration 1766980000000). */
export const STATE_CHANGE = `(e.changes ? 'status' OR e.changes ? 'priority' OR e.changes ? 'teamId' OR e.changes ? 'assigneeId')`;
/** A year and a day of local midnights: every point of a report of up to 366 days. */
export const SNAPSHOT_DAYS = REPORT_LIMITS.maxRangeDays + 1;
// A midnight is snapshotted only once this old, so a write stamped just before it has committed by then.
const SNAPSHOT_MARGIN_MS = 10 * 60_000;
const RUN_INTERVAL_MS = 15_000;
const DAYS_PER_RUN = 120;
// Past the newest snapshot, a point is worked out from it and the changes since, up to this far.
const TAIL_MS = 3 * 86_400_000;

/** Open tickets by "status/priority/team/assignee" (an empty team or assignee: none). */
type StateCounts = Map<string, number>;
/** Whose tickets a report counts: everything (an admin), or its teams' and the user's own; and a team or agent filter. */
export interface BacklogScope {
  everything: boolean;
  teamIds: string[];
  userId: string;
  teamId: string | null;
  agentId: string | null;
}

/** Whether a ticket with this team and assignee is in the scope (inScopeSql in SQL). */
export function inScope(scope: BacklogScope, teamId: string | null, assigneeId: string | null): boolean {
  return (
    (scope.everything || (teamId !== null && scope.teamIds.includes(teamId)) || assigneeId === scope.userId) &&
    (scope.teamId === null || teamId === scope.teamId) &&
    (scope.agentId === null || assigneeId === scope.agentId)
  );
}

/** inScope over columns team_id and assignee_id of `alias`, the scope's fields from parameter $first on. */
const inScopeSql = (alias: string, first: number) => {
  const [everything, teamIds, userId, teamId, agentId] = [0, 1, 2, 3, 4].map((offset) => `$${first + offset}`);
  return `(${everything}::boolean OR ${alias}.team_id = ANY(${teamIds}::uuid[]) OR ${alias}.assignee_id = ${userId}::uuid)
    AND (${teamId}::uuid IS NULL OR ${alias}.team_id = ${teamId}::uuid) AND (${agentId}::uuid IS NULL OR ${alias}.assignee_id = ${agentId}::uuid)`;
};
const scopeParameters = (scope: BacklogScope) => [scope.everything, scope.teamIds, scope.userId, scope.teamId, scope.agentId];

/** The state key of a ticket in SQL, as StateCounts holds it. */
const stateKey = (status: string, priority: string, team: string, assignee: string) =>
  `concat_ws('/', ${status}, ${priority}, COALESCE(${team}::text, ''), COALESCE(${assignee}::text, ''))`;

const lockKey = (orgId: string) => `report-backlog:${orgId}`;

/**
 * Backlog snapshots (migrations 1766955000000 and 1766980000000, docs/reports.md): each organization's
 * open tickets by status, priority, team and assignee (as each ticket had them then) at each of its
 * last SNAPSHOT_DAYS local midnights. A snapshot is worked out from the next or previous one and the
 * tickets created or changed in between (their state at each end, from the history, as the report's
 * own replay reads it), the first one from the tickets and the changes since. Every report reads its
 * points from them, keeping the teams and assignees of its scope.
 */
@Injectable()
export class ReportBacklog implements OnModuleInit, OnApplicationShutdown {
  private readonly schedule = new RepeatingJob('Backlog snapshots', RUN_INTERVAL_MS, () => this.fillAll(), new Logger(ReportBacklog.name));
  private closed = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.stopSchedule();
  }

  /** Stops the runs every RUN_INTERVAL_MS (snapshots are then written by fillAll only); resolves when none runs. */
  stopSchedule(): Promise<void> {
    return this.schedule.stop();
  }

  /**
   * Writes missing snapshots of every organization, at most `maxDays` in all; returns how many. An
   * organization is complete when it has its newest midnight and as many snapshots in its window as
   * midnights (fill keeps nothing else there): an index probe and an index count decide, not a read of its year.
   */
  async fillAll(now = new Date(), maxDays = DAYS_PER_RUN): Promise<number> {
    const organizations = (await this.dataSource.query<Array<{ id: string; timezone: string }>>(`SELECT id, timezone FROM ${S}.organizations ORDER BY id`)).map((organization) => ({
      ...organization,
      ...snapshotBounds(organization.timezone, now),
    }));
    const complete = new Set(
      (
        await this.dataSource.query<Array<{ id: string }>>(
          `SELECT x.id FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS x(id, newest, oldest)
           WHERE EXISTS (SELECT 1 FROM ${S}.report_backlog_snapshots s WHERE s.organization_id = x.id AND s.at = x.newest)
             AND (SELECT count(*) FROM ${S}.report_backlog_snapshots s WHERE s.organization_id = x.id AND s.at >= x.oldest AND s.at <= x.newest) = $4`,
          [
            organizations.map((organization) => organization.id),
            organizations.map((organization) => organization.newest.toISOString()),
            organizations.map((organization) => organization.oldest.toISOString()),
            SNAPSHOT_DAYS,
          ],
        )
      ).map((row) => row.id),
    );
    let written = 0;
    for (const organization of organizations) {
      if (this.closed || written >= maxDays) break;
      if (complete.has(organization.id)) continue;
      written += await this.fill(organization.id, organization.timezone, now, maxDays - written);
    }
    return written;
  }

  /** Writes up to `maxDays` missing snapshots of one organization, newest first; returns how many. */
  async fill(orgId: string, timezone: string, now: Date, maxDays: number): Promise<number> {
    const midnights = snapshotMidnights(timezone, now);
    // Older than any report reaches, or not a midnight of the organization's time zone (it changed): gone.
    await this.dataSource.query(`DELETE FROM ${S}.report_backlog_snapshots WHERE organization_id = $1 AND NOT (at = ANY($2::timestamptz[]))`, [
      orgId,
      midnights.map((midnight) => midnight.toISOString()),
    ]);
    const existing = new Map(
      (await this.dataSource.query<Array<{ at: Date; counts: Record<string, number> }>>(`SELECT at, counts FROM ${S}.report_backlog_snapshots WHERE organization_id = $1 AND at >= $2`, [orgId, midnights.at(-1)!.toISOString()])).map(
        (row) => [row.at.getTime(), new Map(Object.entries(row.counts))] as const,
      ),
    );
    let written = await this.fillBeforeFirstTicket(orgId, midnights, existing);
    // Newest first: each from the one after it; the newest from the newest older one, or from scratch.
    for (const [index, midnight] of midnights.entries()) {
      if (written >= maxDays || this.closed) break;
      if (existing.has(midnight.getTime())) continue;
      const newer = index > 0 ? midnights[index - 1]! : null;
      const base = newer && existing.has(newer.getTime()) ? { at: newer, counts: existing.get(newer.getTime())! } : this.newestBefore(existing, midnight);
      const counts = await this.locked(orgId, midnight, base?.at ?? null, (manager) => (base ? this.moved(manager, orgId, base.counts, base.at, midnight) : this.fromScratch(manager, orgId, midnight)));
      // The snapshot it started from was dropped meanwhile (a backdated write): the next run starts again.
      if (!counts) return written;
      existing.set(midnight.getTime(), counts);
      written += 1;
    }
    return written;
  }

  /**
   * The midnights before the organization's first ticket and first status or priority change had no
   * backlog: one statement writes them all (a new organization would otherwise cost a year of passes).
   */
  private async fillBeforeFirstTicket(orgId: string, midnights: Date[], existing: Map<number, StateCounts>): Promise<number> {
    if (midnights.every((midnight) => existing.has(midnight.getTime()))) return 0;
    const empty = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(orgId)]);
      const [{ first }] = await manager.query<Array<{ first: Date | null }>>(
        `SELECT least((SELECT min(t.created_at) FROM ${S}.tickets t WHERE t.organization_id = $1),
                      (SELECT min(e.created_at) FROM ${S}.ticket_events e WHERE e.organization_id = $1 AND ${STATE_CHANGE})) AS first`,
        [orgId],
      );
      const before = midnights.filter((midnight) => (first === null || midnight <= first) && !existing.has(midnight.getTime()));
      if (before.length > 0) {
        await manager.query(
          `INSERT INTO ${S}.report_backlog_snapshots (organization_id, at, counts) SELECT $1, at, '{}' FROM unnest($2::timestamptz[]) AS at ON CONFLICT DO NOTHING`,
          [orgId, before.map((midnight) => midnight.toISOString())],
        );
      }
      return before;
    });
    for (const midnight of empty) existing.set(midnight.getTime(), new Map());
    return empty.length;
  }

  /**
   * The backlog of `scope` at each point from the snapshots, or null when one point has none: a point
   * before the snapshots, or between midnights further than TAIL_MS past the newest one before it.
   * The snapshots at the points are summed in SQL (a year's 53 of them hold some 90,000 counts at a
   * million tickets); only a point between midnights reads its base snapshot whole.
   */
  async read(orgId: string, points: Date[], scope: BacklogScope): Promise<BacklogPoint[] | null> {
    const times = points.map((point) => point.toISOString());
    const [held, sums] = await Promise.all([
      this.dataSource.query<Array<{ at: Date }>>(`SELECT at FROM ${S}.report_backlog_snapshots WHERE organization_id = $1 AND at = ANY($2::timestamptz[])`, [orgId, times]),
      this.dataSource.query<Array<{ at: Date; status: string; priority: string; count: number }>>(
        `SELECT s.at, split_part(entry.key, '/', 1) AS status, split_part(entry.key, '/', 2) AS priority, sum(entry.value::int)::int AS count
         FROM ${S}.report_backlog_snapshots s
         CROSS JOIN LATERAL jsonb_each_text(s.counts) entry
         CROSS JOIN LATERAL (SELECT NULLIF(split_part(entry.key, '/', 3), '')::uuid AS team_id, NULLIF(split_part(entry.key, '/', 4), '')::uuid AS assignee_id) k
         WHERE s.organization_id = $1 AND s.at = ANY($2::timestamptz[]) AND ${inScopeSql('k', 3)}
         GROUP BY 1, 2, 3`,
        [orgId, times, ...scopeParameters(scope)],
      ),
    ]);
    const snapshotted = new Set(held.map((row) => row.at.getTime()));
    const answer: BacklogPoint[] = [];
    for (const point of points) {
      if (snapshotted.has(point.getTime())) {
        const byStatus: Record<string, number> = {};
        const byPriority: Record<string, number> = {};
        for (const row of sums) {
          if (row.at.getTime() !== point.getTime()) continue;
          byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
          byPriority[row.priority] = (byPriority[row.priority] ?? 0) + row.count;
        }
        answer.push({ at: point.toISOString(), byStatus, byPriority });
        continue;
      }
      const [base] = await this.dataSource.query<Array<{ at: Date; counts: Record<string, number> }>>(
        `SELECT at, counts FROM ${S}.report_backlog_snapshots WHERE organization_id = $1 AND at < $2 AND at >= $3 ORDER BY at DESC LIMIT 1`,
        [orgId, point.toISOString(), new Date(point.getTime() - TAIL_MS).toISOString()],
      );
      if (!base) return null;
      const counts = await this.moved(this.dataSource.manager, orgId, new Map(Object.entries(base.counts)), base.at, point);
      answer.push(toBacklogPoint(point, counts, scope));
    }
    return answer;
  }

  private newestBefore(existing: Map<number, StateCounts>, midnight: Date): { at: Date; counts: StateCounts } | null {
    const older = [...existing.keys()].filter((at) => at < midnight.getTime());
    if (older.length === 0) return null;
    const at = Math.max(...older);
    return { at: new Date(at), counts: existing.get(at)! };
  }

  /**
   * Under the organization's exclusive lock (backdated writes take it shared): checks that the snapshot
   * at `baseAt` still stands, runs `work` and stores its counts at `at`.
   */
  private locked(orgId: string, at: Date, baseAt: Date | null, work: (manager: EntityManager) => Promise<StateCounts>): Promise<StateCounts | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(orgId)]);
      if (baseAt) {
        const [stands] = await manager.query(`SELECT 1 FROM ${S}.report_backlog_snapshots WHERE organization_id = $1 AND at = $2`, [orgId, baseAt.toISOString()]);
        if (!stands) return null;
      }
      const counts = await work(manager);
      await manager.query(`INSERT INTO ${S}.report_backlog_snapshots (organization_id, at, counts) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [orgId, at.toISOString(), Object.fromEntries(counts)]);
      return counts;
    });
  }

  /** The counts at `to`, from those at `from` and the tickets created or changed in between. */
  private async moved(manager: EntityManager, orgId: string, counts: StateCounts, from: Date, to: Date): Promise<StateCounts> {
    const [start, end] = from < to ? [from, to] : [to, from];
    const changed = (
      await manager.query<Array<{ id: string }>>(
        `SELECT e.ticket_id AS id FROM ${S}.ticket_events e WHERE e.organization_id = $1 AND e.created_at >= $2 AND e.created_at < $3 AND ${STATE_CHANGE}
         UNION SELECT t.id FROM ${S}.tickets t WHERE t.organization_id = $1 AND t.created_at >= $2 AND t.created_at < $3`,
        [orgId, start.toISOString(), end.toISOString()],
      )
    ).map((row) => row.id);
    const result = new Map(counts);
    if (changed.length === 0) return result;
    const [before, after] = await Promise.all([this.statesOf(manager, changed, from), this.statesOf(manager, changed, to)]);
    for (const [state, count] of before) result.set(state, (result.get(state) ?? 0) - count);
    for (const [state, count] of after) result.set(state, (result.get(state) ?? 0) + count);
    for (const [state, count] of result) if (count === 0) result.delete(state);
    return result;
  }

  /** The counts at `at` from the tickets themselves: the unchanged since with their current state, the others from their history. */
  private async fromScratch(manager: EntityManager, orgId: string, at: Date): Promise<StateCounts> {
    const unchanged = await manager.query<Array<{ state: string; count: number }>>(
      `SELECT ${stateKey('t.status', 't.priority', 't.team_id', 't.assignee_id')} AS state, count(*)::int AS count FROM ${S}.tickets t
       WHERE t.organization_id = $1 AND t.created_at < $2 AND t.status NOT IN ${FINISHED}
         AND NOT EXISTS (SELECT 1 FROM ${S}.ticket_events e WHERE e.ticket_id = t.id AND e.created_at >= $2 AND ${STATE_CHANGE})
       GROUP BY 1`,
      [orgId, at.toISOString()],
    );
    const changed = (
      await manager.query<Array<{ id: string }>>(`SELECT DISTINCT e.ticket_id AS id FROM ${S}.ticket_events e WHERE e.organization_id = $1 AND e.created_at >= $2 AND ${STATE_CHANGE}`, [orgId, at.toISOString()])
    ).map((row) => row.id);
    const counts: StateCounts = new Map(unchanged.map((row) => [row.state, row.count]));
    for (const [state, count] of await this.statesOf(manager, changed, at)) counts.set(state, (counts.get(state) ?? 0) + count);
    return counts;
  }

  /**
   * The open ones among these tickets at `at`, by status, priority, team and assignee, as the report's
   * replay reads them (reports.service.ts replayStates): each field the last value its history set before then; a team or
   * assignee without one, the value its first later change replaced; else the ticket's current one.
   */
  private async statesOf(manager: EntityManager, ticketIds: string[], at: Date): Promise<StateCounts> {
    if (ticketIds.length === 0) return new Map();
    // Each field's value per ticket from one pass over their history (a pass per field cost three times as much).
    const lastBefore = (field: string) =>
      `(array_agg(e.changes->'${field}'->>'to' ORDER BY e.created_at DESC, e.id DESC) FILTER (WHERE e.created_at < $2 AND e.changes ? '${field}'))[1]`;
    const firstAfter = (field: string) =>
      `(array_agg(e.changes->'${field}'->>'from' ORDER BY e.created_at, e.id) FILTER (WHERE e.created_at >= $2 AND e.changes ? '${field}'))[1]`;
    // A team or assignee may be set to none (a JSON null): whether a change was found decides, not its value.
    const held = (name: string, current: string) =>
      `CASE WHEN h.${name}_set_before THEN h.${name}_before WHEN h.${name}_set_after THEN h.${name}_after ELSE ${current}::text END`;
    const changesOf = (field: string, name: string) =>
      `bool_or(e.created_at < $2 AND e.changes ? '${field}') AS ${name}_set_before, ${lastBefore(field)} AS ${name}_before,
       bool_or(e.created_at >= $2 AND e.changes ? '${field}') AS ${name}_set_after, ${firstAfter(field)} AS ${name}_after`;
    const rows = await manager.query<Array<{ state: string; count: number }>>(
      `WITH h AS (
         SELECT e.ticket_id, ${lastBefore('status')} AS status, ${lastBefore('priority')} AS priority, ${changesOf('teamId', 'team')}, ${changesOf('assigneeId', 'assignee')}
         FROM ${S}.ticket_events e WHERE e.ticket_id = ANY($1::uuid[]) AND ${STATE_CHANGE}
         GROUP BY e.ticket_id
       )
       SELECT ${stateKey('state.status', 'state.priority', 'state.team', 'state.assignee')} AS state, count(*)::int AS count
       FROM ${S}.tickets t
       LEFT JOIN h ON h.ticket_id = t.id
       CROSS JOIN LATERAL (
         SELECT COALESCE(h.status, t.status) AS status, COALESCE(h.priority, t.priority) AS priority,
                ${held('team', 't.team_id')} AS team, ${held('assignee', 't.assignee_id')} AS assignee
       ) state
       WHERE t.id = ANY($1::uuid[]) AND t.created_at < $2 AND state.status NOT IN ${FINISHED}
       GROUP BY 1`,
      [ticketIds, at.toISOString()],
    );
    return new Map(rows.map((row) => [row.state, row.count]));
  }
}

/** The organization's last SNAPSHOT_DAYS local midnights at least SNAPSHOT_MARGIN_MS old, newest first. */
export function snapshotMidnights(timezone: string, now: Date): Date[] {
  const newest = newestMidnight(timezone, now);
  return Array.from({ length: SNAPSHOT_DAYS }, (_, days) => newest.minus({ days }).toJSDate());
}

/** The first and last of snapshotMidnights, without the days between. */
function snapshotBounds(timezone: string, now: Date): { newest: Date; oldest: Date } {
  const newest = newestMidnight(timezone, now);
  return { newest: newest.toJSDate(), oldest: newest.minus({ days: SNAPSHOT_DAYS - 1 }).toJSDate() };
}

const newestMidnight = (timezone: string, now: Date) => DateTime.fromMillis(now.getTime() - SNAPSHOT_MARGIN_MS, { zone: timezone }).startOf('day');

function toBacklogPoint(at: Date, counts: StateCounts, scope: BacklogScope): BacklogPoint {
  const byStatus: Record<string, number> = {};
  const byPriority: Record<string, number> = {};
  for (const [state, count] of counts) {
    const [status, priority, team, assignee] = state.split('/') as [string, string, string | undefined, string | undefined];
    if (!inScope(scope, team || null, assignee || null)) continue;
    byStatus[status] = (byStatus[status] ?? 0) + count;
    byPriority[priority] = (byPriority[priority] ?? 0) + count;
  }
  return { at: at.toISOString(), byStatus, byPriority };
}
