import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  REPORT_LIMITS,
  type BacklogPoint,
  type ReportExportPage,
  type ReportExportPageCommand,
  type ReportGroupRow,
  type ReportInterval,
  type ReportOverview,
  type ReportOverviewCommand,
  type ReportTicketRow,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor } from '@helpdesk/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { calendarOf } from '../organizations/organization-calendar.js';
import { Organization } from '../organizations/organization.entity.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { inScope, ReportBacklog, STATE_CHANGE } from './report-backlog.js';
import { ReportFacts, calendarKey } from './report-facts.js';
import { STALE_DAYS_SQL, utcDay } from './report-rollup-days.js';
import { FINISHED, S, firstResponseOutcomeAt, nextResponseOutcomeAt, resolutionOutcomeAt, staleUnder, tenthsOf } from './report-sql.js';
import {
  compliance,
  firstResponseMinutes,
  firstResponseOutcome,
  nextResponseOutcome,
  percentOf,
  resolutionMinutes,
  resolutionOutcome,
  summarizeTenths,
  type ReportTicket,
} from './report-figures.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The caller's part of the organization's tickets and the filters, as SQL parameters $1..$8. */
interface ReportScope {
  orgId: string;
  from: Date;
  to: Date;
  interval: ReportInterval;
  calendar: BusinessCalendar;
  /** Admins: every ticket of the organization; agents: their teams' and their own. */
  everything: boolean;
  userId: string;
  teamIds: string[];
  teamId: string | null;
  agentId: string | null;
}

const scopeOn = (alias: string) =>
  `${alias}.organization_id = $1 AND ($4::boolean OR ${alias}.team_id = ANY($6::uuid[]) OR ${alias}.assignee_id = $5::uuid) AND ($7::uuid IS NULL OR ${alias}.team_id = $7) AND ($8::uuid IS NULL OR ${alias}.assignee_id = $8)`;
const SCOPE = scopeOn('t');

const TICKET_COLUMNS = `
  t.id, t.number, t.subject, t.status, t.priority, t.team_id, team.name AS team_name, t.assignee_id, assignee.name AS assignee_name,
  t.created_at, t.first_responded_at, t.resolved_at, t.sla_paused_at, t.sla_paused_minutes,
  t.first_response_due_at, t.first_response_breached_at, t.next_response_due_at, t.next_response_breached_at,
  t.resolution_due_at, t.resolution_breached_at, policy.business_hours_only, (policy.next_response_minutes IS NOT NULL) AS has_next_response_target,
  (t.first_responded_at IS NOT NULL AND EXISTS (
     SELECT 1 FROM ${S}.comments reply WHERE reply.ticket_id = t.id AND reply.author_id = t.requester_id AND NOT reply.internal AND reply.created_at > t.first_responded_at
   )) AS had_next_response_window,
  t.satisfaction_rating AS csat`;

const TICKET_JOINS = `
  LEFT JOIN ${S}.sla_policies policy ON policy.id = t.sla_policy_id
  LEFT JOIN ${S}.teams team ON team.id = t.team_id
  LEFT JOIN ${S}.users assignee ON assignee.id = t.assignee_id`;

/** Tickets created, first answered or solved in [from, to), given as parameter numbers. */
const inRange = (from: string, to: string) =>
  `(t.created_at >= ${from} AND t.created_at < ${to}) OR (t.first_responded_at >= ${from} AND t.first_responded_at < ${to}) OR (t.resolved_at >= ${from} AND t.resolved_at < ${to})`;
const outcomeCounts = (name: string) =>
  `count(*) FILTER (WHERE created_in AND ${name} = 'met')::int AS ${name}_met, count(*) FILTER (WHERE created_in AND ${name} = 'breached')::int AS ${name}_breached`;

// Plain comparisons where they pick the index; COALESCEd where a NULL must read as false.
const CREATED_IN = `(t.created_at >= $2 AND t.created_at < $3)`;
const RESPONDED_IN = `(t.first_responded_at >= $2 AND t.first_responded_at < $3)`;
const SOLVED_IN = `(t.resolved_at >= $2 AND t.resolved_at < $3)`;
const truth = (condition: string) => `COALESCE(${condition}, false)`;
const rangedTickets = (where: string) => `
    SELECT t.assignee_id, t.team_id, ${staleUnder('$10')} AS stale,
      ${CREATED_IN} AS created_in, ${truth(RESPONDED_IN)} AS responded_in, ${truth(SOLVED_IN)} AS solved_in,
      ${tenthsOf('first_response')} AS first_response, ${tenthsOf('resolution')} AS resolution,
      ${firstResponseOutcomeAt('$9::timestamptz')} AS first_response_sla, ${nextResponseOutcomeAt('$9::timestamptz')} AS next_response_sla, ${resolutionOutcomeAt('$9::timestamptz')} AS resolution_sla
    FROM ${S}.tickets t LEFT JOIN ${S}.sla_policies policy ON policy.id = t.sla_policy_id
    WHERE ${SCOPE} AND ${where}`;

// The tickets created, first answered or solved in the range, as three disjoint parts, each read
// through its own index (one OR of the three made PostgreSQL scan the whole table: 447 against 253 ms
// for 30 days of 1,000,000 tickets).
const CELLS_SQL = `
  WITH ranged AS (${rangedTickets(CREATED_IN)}
    UNION ALL ${rangedTickets(`t.created_at < $2 AND ${RESPONDED_IN}`)}
    UNION ALL ${rangedTickets(`t.created_at < $2 AND ${SOLVED_IN} AND NOT ${truth(RESPONDED_IN)}`)}
  )
  SELECT assignee_id, team_id, count(*) FILTER (WHERE stale)::int AS stale, count(*) FILTER (WHERE created_in)::int AS created, count(*) FILTER (WHERE solved_in)::int AS solved,
    string_agg(int4send(first_response), ''::bytea) FILTER (WHERE responded_in) AS first_response_tenths,
    string_agg(int4send(resolution), ''::bytea) FILTER (WHERE solved_in) AS resolution_tenths,
    ${outcomeCounts('first_response_sla')}, ${outcomeCounts('next_response_sla')}, ${outcomeCounts('resolution_sla')}
  FROM ranged GROUP BY assignee_id, team_id`;

// The range's whole UTC days ($2 to $3) whose rollup is current: counted under the report's calendar ($4)
// no later than the report's instant ($5), and touched by no stale ticket (none at all past STALE_LIMIT of them).
const COUNTED_DAYS_SQL = `
  WITH stale_days AS MATERIALIZED (${STALE_DAYS_SQL})
  SELECT r.day::text FROM ${S}.report_rollup_days r, stale_days
  WHERE r.organization_id = $1 AND r.day >= $2::date AND r.day < $3::date AND r.calendar = $4::bigint AND r.counted_at <= $5::timestamptz
    AND NOT stale_days.everything AND NOT (r.day::text = ANY(stale_days.days))`;

// The cells of those days ($9), in the caller's scope; a cell's minutes and pending due times are concatenated across days.
const sumOf = (column: string) => `sum(c.${column})::int AS ${column}`;
const packedOf = (column: string) => `string_agg(c.${column}, ''::bytea) AS ${column}`;
const ROLLUP_CELLS_SQL = `
  SELECT c.assignee_id, c.team_id, 0 AS stale, ${sumOf('created')}, ${sumOf('solved')}, ${packedOf('first_response_tenths')}, ${packedOf('resolution_tenths')},
    ${['first_response', 'next_response', 'resolution'].map((name) => `${sumOf(`${name}_sla_met`)}, ${sumOf(`${name}_sla_breached`)}, ${packedOf(`${name}_due_ats`)}`).join(', ')}
  FROM ${S}.report_rollup_cells c
  WHERE ${scopeOn('c')} AND c.day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND c.day < ($3::timestamptz AT TIME ZONE 'UTC')::date AND c.day = ANY($9::date[])
  GROUP BY c.assignee_id, c.team_id`;

/** A rollup cell: its targets still pending when counted carry their due times, big-endian int8 microseconds. */
interface RollupCell extends ReportCell {
  first_response_due_ats: Buffer | null;
  next_response_due_ats: Buffer | null;
  resolution_due_ats: Buffer | null;
}

/** How many of the packed due times are before `now`: those targets are breached at `now`, the others still pending. */
function dueBefore(packed: Buffer | null, now: Date): number {
  if (!packed) return 0;
  const limit = BigInt(now.getTime()) * 1000n;
  let count = 0;
  for (let offset = 0; offset < packed.length; offset += 8) if (packed.readBigInt64BE(offset) < limit) count += 1;
  return count;
}

/** A rollup cell's figures at `now`. */
function atInstant(cell: RollupCell, now: Date): ReportCell {
  const { first_response_due_ats, next_response_due_ats, resolution_due_ats, ...figures } = cell;
  return {
    ...figures,
    first_response_sla_breached: figures.first_response_sla_breached + dueBefore(first_response_due_ats, now),
    next_response_sla_breached: figures.next_response_sla_breached + dueBefore(next_response_due_ats, now),
    resolution_sla_breached: figures.resolution_sla_breached + dueBefore(resolution_due_ats, now),
  };
}

const DAY_MS = 86_400_000;
const SERIAL_RANGE_MS = 3 * DAY_MS;

/** The parts of [from, to) outside the counted days, read from the tickets. */
function uncountedRanges(from: Date, to: Date, counted: Set<string>): Array<[Date, Date]> {
  const ranges: Array<[Date, Date]> = [];
  let start = from.getTime();
  for (let day = Math.ceil(from.getTime() / DAY_MS) * DAY_MS; day + DAY_MS <= to.getTime(); day += DAY_MS) {
    if (!counted.has(utcDay(new Date(day)))) continue;
    if (start < day) ranges.push([new Date(start), new Date(day)]);
    start = day + DAY_MS;
  }
  if (start < to.getTime()) ranges.push([new Date(start), to]);
  return ranges;
}

/** One (assignee, team) cell of the range; the minutes are big-endian 32-bit tenths, one per ticket. */
interface ReportCell {
  assignee_id: string | null;
  team_id: string | null;
  stale: number;
  created: number;
  solved: number;
  first_response_tenths: Buffer | null;
  resolution_tenths: Buffer | null;
  first_response_sla_met: number;
  first_response_sla_breached: number;
  next_response_sla_met: number;
  next_response_sla_breached: number;
  resolution_sla_met: number;
  resolution_sla_breached: number;
}

const unpackTenths = (packed: Buffer[]) => {
  const values = new Int32Array(packed.reduce((sum, buffer) => sum + buffer.length / 4, 0));
  let index = 0;
  for (const buffer of packed) for (let offset = 0; offset < buffer.length; offset += 4) values[index++] = buffer.readInt32BE(offset);
  return values;
};

/** The figures of a union of cells (everything, one agent, one team). */
class GroupFigures {
  private created = 0;
  private solved = 0;
  private readonly firstResponse: Buffer[] = [];
  private readonly resolution: Buffer[] = [];
  private readonly sla = { firstResponse: { met: 0, breached: 0 }, nextResponse: { met: 0, breached: 0 }, resolution: { met: 0, breached: 0 } };

  add(cell: ReportCell): void {
    this.created += cell.created;
    this.solved += cell.solved;
    if (cell.first_response_tenths) this.firstResponse.push(cell.first_response_tenths);
    if (cell.resolution_tenths) this.resolution.push(cell.resolution_tenths);
    this.sla.firstResponse.met += cell.first_response_sla_met;
    this.sla.firstResponse.breached += cell.first_response_sla_breached;
    this.sla.nextResponse.met += cell.next_response_sla_met;
    this.sla.nextResponse.breached += cell.next_response_sla_breached;
    this.sla.resolution.met += cell.resolution_sla_met;
    this.sla.resolution.breached += cell.resolution_sla_breached;
  }

  row(): ReportGroupRow {
    const { firstResponse, nextResponse, resolution } = this.sla;
    return {
      created: this.created,
      solved: this.solved,
      firstResponseMinutes: summarizeTenths(unpackTenths(this.firstResponse)),
      resolutionMinutes: summarizeTenths(unpackTenths(this.resolution)),
      sla: { firstResponse: compliance(firstResponse.met, firstResponse.breached), nextResponse: compliance(nextResponse.met, nextResponse.breached), resolution: compliance(resolution.met, resolution.breached) },
    };
  }
}

function mapEntry(groups: Map<string, GroupFigures>, key: string): GroupFigures {
  let figures = groups.get(key);
  if (!figures) groups.set(key, (figures = new GroupFigures()));
  return figures;
}

interface TicketRow {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  team_id: string | null;
  team_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  created_at: Date;
  first_responded_at: Date | null;
  resolved_at: Date | null;
  sla_paused_at: Date | null;
  sla_paused_minutes: number;
  first_response_due_at: Date | null;
  first_response_breached_at: Date | null;
  next_response_due_at: Date | null;
  next_response_breached_at: Date | null;
  resolution_due_at: Date | null;
  resolution_breached_at: Date | null;
  business_hours_only: boolean | null;
  has_next_response_target: boolean;
  had_next_response_window: boolean;
  csat: 'good' | 'bad' | null;
}

function toReportTicket(row: TicketRow): ReportTicket {
  return {
    id: row.id,
    number: row.number,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    teamId: row.team_id,
    teamName: row.team_name,
    assigneeId: row.assignee_id,
    assigneeName: row.assignee_name,
    createdAt: row.created_at,
    firstRespondedAt: row.first_responded_at,
    resolvedAt: row.resolved_at,
    slaPausedAt: row.sla_paused_at,
    slaPausedMinutes: Number(row.sla_paused_minutes),
    firstResponseDueAt: row.first_response_due_at,
    firstResponseBreachedAt: row.first_response_breached_at,
    nextResponseDueAt: row.next_response_due_at,
    nextResponseBreachedAt: row.next_response_breached_at,
    resolutionDueAt: row.resolution_due_at,
    resolutionBreachedAt: row.resolution_breached_at,
    businessHoursOnly: row.business_hours_only,
    hasNextResponseTarget: row.has_next_response_target && row.business_hours_only !== null,
    hadNextResponseWindow: row.had_next_response_window,
    csat: row.csat,
  };
}

/** Reports (DESIGN section 15, docs/reports.md): figures computed with SQL from tickets, their history and ratings. */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(ReportFacts) private readonly facts: ReportFacts,
    @Inject(ReportBacklog) private readonly snapshots: ReportBacklog,
  ) {}

  async overview(command: ReportOverviewCommand, now = new Date()): Promise<ReportOverview> {
    const scope = await this.scope(command);
    const [cells, reopened, backlog, csat] = await Promise.all([this.cells(scope, now), this.reopened(scope), this.backlog(scope), this.csat(scope)]);
    const overall = new GroupFigures();
    const agents = new Map<string, GroupFigures>();
    const teams = new Map<string, GroupFigures>();
    for (const cell of cells) {
      overall.add(cell);
      if (cell.assignee_id) mapEntry(agents, cell.assignee_id).add(cell);
      if (cell.team_id) mapEntry(teams, cell.team_id).add(cell);
    }
    const names = await this.names([...agents.keys()], [...teams.keys()]);
    const totals = overall.row();
    return {
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      interval: scope.interval,
      created: totals.created,
      solved: totals.solved,
      reopened,
      firstResponseMinutes: totals.firstResponseMinutes,
      resolutionMinutes: totals.resolutionMinutes,
      sla: totals.sla,
      backlog,
      agents: [...agents].map(([userId, figures]) => ({ userId, name: names.get(userId) ?? '', ...figures.row() })).sort((a, b) => a.name.localeCompare(b.name)),
      teams: [...teams].map(([teamId, figures]) => ({ teamId, name: names.get(teamId) ?? '', ...figures.row() })).sort((a, b) => a.name.localeCompare(b.name)),
      csat,
    };
  }

  /**
   * The range's figures per (assignee, team) cell: its whole UTC days from their current rollups
   * (report-rollups.ts), the rest from the tickets' report facts. Counts, SLA outcomes (docs/reports.md,
   * the same rules as report-figures.ts) and each cell's minutes as packed 32-bit tenths, from which the
   * service takes exact medians and p90s of any union of cells. Stale facts are counted again first:
   * the organization's marked ones before, and, when the calendar changed since they were counted,
   * those of the range before a second pass.
   */
  private async cells(scope: ReportScope, now: Date): Promise<ReportCell[]> {
    const key = calendarKey(scope.calendar);
    const range = [scope.from.toISOString(), scope.to.toISOString()];
    // Only the range's: after an upgrade or a bulk load, a week's report counts that week, not the whole desk.
    await this.facts.refresh(scope.orgId, scope.calendar, `t.report_facts_calendar IS NULL AND (${inRange('$3', '$4')})`, range);
    // Facts written meanwhile can be stale again; after three passes the figures stand as read.
    for (let pass = 0; ; pass += 1) {
      // One snapshot for the rollups and the tickets, so a ticket counted into a rollup meanwhile is read once.
      const cells = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
        // JIT compilation costs more than it saves on these aggregates (about 90 ms measured at 1,000,000 tickets);
        // the default 4 MB of work_mem sent a month's grouping to disk (316 against 234 ms for 30 days); and
        // the planner, guessing thousands of (assignee, team) cells from column statistics, sorted a year's
        // rows on disk to group them where hashing the few real cells took 1.6 instead of 2.5 s.
        await manager.query(`SET LOCAL jit = off; SET LOCAL work_mem = '32MB'; SET LOCAL enable_sort = off`);
        const counted = (
          await manager.query<Array<{ day: string }>>(COUNTED_DAYS_SQL, [scope.orgId, utcDay(new Date(Math.ceil(scope.from.getTime() / DAY_MS) * DAY_MS)), utcDay(scope.to), key, now.toISOString()])
        ).map((row) => row.day);
        const parameters = this.parameters(scope);
        const cells =
          counted.length === 0 ? [] : (await manager.query<RollupCell[]>(ROLLUP_CELLS_SQL, [...parameters, counted])).map((cell) => atInstant(cell, now));
        const uncounted = uncountedRanges(scope.from, scope.to, new Set(counted));
        // A few days of tickets read faster in one process: starting parallel workers cost more than they saved.
        const uncountedMs = uncounted.reduce((sum, [from, to]) => sum + (to.getTime() - from.getTime()), 0);
        await manager.query(`SET LOCAL max_parallel_workers_per_gather = ${uncountedMs <= SERIAL_RANGE_MS ? '0' : 'DEFAULT'}`);
        for (const [from, to] of uncounted) {
          cells.push(...(await manager.query<ReportCell[]>(CELLS_SQL, [scope.orgId, from.toISOString(), to.toISOString(), ...parameters.slice(3), now.toISOString(), key])));
        }
        return cells;
      });
      const stale = cells.reduce((sum, cell) => sum + cell.stale, 0);
      if (stale === 0 || pass === 2) return cells;
      await this.facts.refresh(scope.orgId, scope.calendar, inRange('$3', '$4'), range);
    }
  }

  private async names(userIds: string[], teamIds: string[]): Promise<Map<string, string>> {
    const rows = await this.dataSource.query<Array<{ id: string; name: string }>>(
      `SELECT id, name FROM ${S}.users WHERE id = ANY($1::uuid[]) UNION ALL SELECT id, name FROM ${S}.teams WHERE id = ANY($2::uuid[])`,
      [userIds, teamIds],
    );
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** One page of the export's rows: the tickets created in the range, by number. */
  async exportPage(command: ReportExportPageCommand, now = new Date()): Promise<ReportExportPage> {
    const scope = await this.scope(command);
    const after = command.cursor ? decodeCursor(command.cursor, 'integer') : null;
    const limit = REPORT_LIMITS.exportPageSize;
    const rows = (
      await this.dataSource.query<TicketRow[]>(
        `SELECT ${TICKET_COLUMNS} FROM ${S}.tickets t ${TICKET_JOINS}
         WHERE ${SCOPE} AND t.created_at >= $2 AND t.created_at < $3 AND ($9::int IS NULL OR t.number > $9)
         ORDER BY t.number LIMIT ${limit + 1}`,
        [...this.parameters(scope), after ? after.value : null],
      )
    ).map(toReportTicket);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      rows: page.map((ticket) => this.exportRow(ticket, scope.calendar, now)),
      nextCursor: rows.length > limit && last ? encodeCursor({ value: last.number, id: last.id }) : null,
    };
  }

  private exportRow(ticket: ReportTicket, calendar: BusinessCalendar, now: Date): ReportTicketRow {
    return {
      id: ticket.id,
      number: ticket.number,
      subject: ticket.subject,
      status: ticket.status,
      priority: ticket.priority,
      team: ticket.teamName,
      assignee: ticket.assigneeName,
      createdAt: ticket.createdAt.toISOString(),
      firstRespondedAt: ticket.firstRespondedAt?.toISOString() ?? null,
      solvedAt: ticket.resolvedAt?.toISOString() ?? null,
      firstResponseMinutes: firstResponseMinutes(ticket, calendar),
      resolutionMinutes: resolutionMinutes(ticket, calendar),
      firstResponseSla: firstResponseOutcome(ticket, now),
      nextResponseSla: nextResponseOutcome(ticket, now),
      resolutionSla: resolutionOutcome(ticket, now),
      csat: ticket.csat,
    };
  }

  /** Status changes out of solved or closed in the range. */
  private async reopened(scope: ReportScope): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM ${S}.ticket_events e JOIN ${S}.tickets t ON t.id = e.ticket_id
       WHERE e.organization_id = $1 AND e.changes ? 'status' AND e.created_at >= $2 AND e.created_at < $3
         AND e.changes->'status'->>'from' IN ${FINISHED} AND e.changes->'status'->>'to' NOT IN ${FINISHED} AND ${SCOPE}`,
      this.parameters(scope),
    );
    return row!.count;
  }

  /**
   * Open tickets (not solved or closed) at the end of each interval, by the status and priority they
   * had then, among those the caller's scope held then (their team and assignee then): from the
   * snapshots (report-backlog.ts), or else by replaying the history. Each field at a moment is the last
   * value the history set before it; a team or assignee without one, the value its first later change
   * replaced; else the ticket's current value. Only tickets created or changed since `from` need that
   * per point; every other ticket had its current state all through the range, so it is counted once
   * and added to each point.
   */
  private async backlog(scope: ReportScope): Promise<BacklogPoint[]> {
    const points = intervalEnds(scope);
    const fromSnapshots = await this.snapshots.read(scope.orgId, points, scope);
    if (fromSnapshots) return fromSnapshots;
    const changedSince = `SELECT DISTINCT e.ticket_id FROM ${S}.ticket_events e WHERE e.organization_id = $1 AND e.created_at >= $2 AND ${STATE_CHANGE}`;
    const parameters = this.parameters(scope);
    const [unchanged, history] = await Promise.all([
      this.dataSource.query<Array<{ status: string; priority: string; count: number }>>(
        `SELECT t.status, t.priority, count(*)::int AS count FROM ${S}.tickets t
         WHERE ${SCOPE} AND t.created_at < $2 AND $2::timestamptz < $3::timestamptz AND t.status NOT IN ${FINISHED} AND t.id NOT IN (${changedSince})
         GROUP BY t.status, t.priority`,
        parameters,
      ),
      // Each such ticket with all its changes in order, replayed below once for all points: any of them
      // may have been in the scope at a point, whatever its team and assignee now.
      this.dataSource.query<HistoryRow[]>(
        `SELECT t.id, t.created_at, t.status, t.priority, t.team_id, t.assignee_id, e.created_at AS changed_at,
                e.changes->'status'->>'to' AS status_to, e.changes->'priority'->>'to' AS priority_to,
                e.changes ? 'teamId' AS team_changed, e.changes->'teamId'->>'from' AS team_from, e.changes->'teamId'->>'to' AS team_to,
                e.changes ? 'assigneeId' AS assignee_changed, e.changes->'assigneeId'->>'from' AS assignee_from, e.changes->'assigneeId'->>'to' AS assignee_to
         FROM ${S}.tickets t
         LEFT JOIN ${S}.ticket_events e ON e.ticket_id = t.id AND ${STATE_CHANGE}
         WHERE t.organization_id = $1 AND t.created_at < $3 AND (t.created_at >= $2 OR t.id IN (${changedSince}))
         ORDER BY t.id, e.created_at, e.id`,
        parameters.slice(0, 3),
      ),
    ]);
    const counts = points.map(() => ({ byStatus: {} as Record<string, number>, byPriority: {} as Record<string, number> }));
    const add = (index: number, status: string, priority: string, count: number) => {
      const point = counts[index]!;
      point.byStatus[status] = (point.byStatus[status] ?? 0) + count;
      point.byPriority[priority] = (point.byPriority[priority] ?? 0) + count;
    };
    for (const row of unchanged) points.forEach((_, index) => add(index, row.status, row.priority, row.count));
    for (let first = 0; first < history.length; ) {
      let last = first;
      while (last + 1 < history.length && history[last + 1]!.id === history[first]!.id) last += 1;
      const ticket = history[first]!;
      replayStates(ticket, history.slice(first, last + 1).filter((row) => row.changed_at !== null), points, (index, state) => {
        if (ticket.created_at < points[index]! && !['solved', 'closed'].includes(state.status) && inScope(scope, state.teamId, state.assigneeId)) add(index, state.status, state.priority, 1);
      });
      first = last + 1;
    }
    return points.map((point, index) => ({ at: point.toISOString(), ...counts[index]! }));
  }

  /** Ratings first given in the range (their current value), on tickets the caller may see. */
  private async csat(scope: ReportScope): Promise<ReportOverview['csat']> {
    const [row] = await this.dataSource.query<Array<{ good: number; bad: number }>>(
      `SELECT count(*) FILTER (WHERE t.satisfaction_rating = 'good')::int AS good, count(*) FILTER (WHERE t.satisfaction_rating = 'bad')::int AS bad
       FROM ${S}.tickets t
       WHERE t.satisfaction_rating IS NOT NULL AND t.satisfaction_rated_at >= $2 AND t.satisfaction_rated_at < $3 AND ${SCOPE}`,
      this.parameters(scope),
    );
    return { good: row!.good, bad: row!.bad, score: percentOf(row!.good, row!.good + row!.bad) };
  }

  private parameters(scope: ReportScope): unknown[] {
    return [scope.orgId, scope.from.toISOString(), scope.to.toISOString(), scope.everything, scope.userId, scope.teamIds, scope.teamId, scope.agentId];
  }

  /** Checks the caller, the range and the filters; an agent is limited to their teams' and their own tickets. */
  private async scope(command: ReportOverviewCommand): Promise<ReportScope> {
    const caller = await this.principals.verifyStaff(command.principal);
    const organization = await this.dataSource.manager.findOneByOrFail(Organization, { id: caller.orgId });
    const calendar = calendarOf(organization);
    const from = parseBoundary(command.from, 'from', organization.timezone, false);
    const to = parseBoundary(command.to, 'to', organization.timezone, true);
    if (to <= from) throw new CommandError('VALIDATION', 'from must be before to', ['from must be before to']);
    if (to.getTime() - from.getTime() > REPORT_LIMITS.maxRangeDays * 86_400_000) {
      const message = `The range may cover at most ${REPORT_LIMITS.maxRangeDays} days`;
      throw new CommandError('VALIDATION', message, [message]);
    }
    const teamIds = (await this.dataSource.query<Array<{ team_id: string }>>(`SELECT team_id FROM ${S}.team_members WHERE user_id = $1`, [caller.userId])).map((row) => row.team_id);
    const everything = caller.role === 'admin';
    if (command.teamId) {
      const [team] = await this.dataSource.query(`SELECT 1 FROM ${S}.teams WHERE id = $1 AND organization_id = $2`, [command.teamId, caller.orgId]);
      if (!team) throw new CommandError('VALIDATION', 'teamId is not a team of this organization', ['teamId is not a team of this organization']);
      if (!everything && !teamIds.includes(command.teamId)) throw new CommandError('FORBIDDEN', 'Agents read reports of their own teams only');
    }
    if (command.agentId) {
      const [agent] = await this.dataSource.query(`SELECT 1 FROM ${S}.users WHERE id = $1 AND organization_id = $2 AND role IN ('admin', 'agent')`, [command.agentId, caller.orgId]);
      if (!agent) throw new CommandError('VALIDATION', 'agentId is not an agent or admin of this organization', ['agentId is not an agent or admin of this organization']);
    }
    return {
      orgId: caller.orgId,
      from,
      to,
      interval: command.interval ?? 'day',
      calendar,
      everything,
      userId: caller.userId,
      teamIds,
      teamId: command.teamId ?? null,
      agentId: command.agentId ?? null,
    };
  }
}

/** A date alone is local midnight in the organization's zone; as `to`, the whole day is included. */
function parseBoundary(value: string, name: string, timezone: string, end: boolean): Date {
  const dateOnly = DATE_ONLY.test(value);
  let moment = DateTime.fromISO(value, { zone: timezone, setZone: false });
  if (!moment.isValid) throw new CommandError('VALIDATION', `${name} is not a valid date`, [`${name} is not a valid date`]);
  if (dateOnly && end) moment = moment.plus({ days: 1 });
  return moment.toJSDate();
}

/** The end of each day or week of the range in the organization's zone (the last one cut at `to`). */
function intervalEnds(scope: ReportScope): Date[] {
  const ends: Date[] = [];
  const start = DateTime.fromJSDate(scope.from, { zone: scope.calendar.timezone });
  for (let step = 1; ; step += 1) {
    const end = start.plus(scope.interval === 'week' ? { weeks: step } : { days: step }).toJSDate();
    if (end >= scope.to) {
      ends.push(scope.to);
      return ends;
    }
    ends.push(end);
  }
}

/** A ticket and one of its status, priority, team or assignee changes (none: changed_at null), as the backlog replay reads them. */
interface HistoryRow {
  id: string;
  created_at: Date;
  status: string;
  priority: string;
  team_id: string | null;
  assignee_id: string | null;
  changed_at: Date | null;
  status_to: string | null;
  priority_to: string | null;
  team_changed: boolean;
  team_from: string | null;
  team_to: string | null;
  assignee_changed: boolean;
  assignee_from: string | null;
  assignee_to: string | null;
}

/**
 * A ticket's state at each of `points` (ascending) from its changes (in order), by the rule the
 * snapshots count with (report-backlog.ts statesOf): the last value set before then; a team or
 * assignee without one, the value its first later change replaced; else the current value.
 */
function replayStates(
  ticket: HistoryRow,
  changes: HistoryRow[],
  points: Date[],
  visit: (index: number, state: { status: string; priority: string; teamId: string | null; assigneeId: string | null }) => void,
): void {
  const firstTeamChange = changes.find((change) => change.team_changed);
  const firstAssigneeChange = changes.find((change) => change.assignee_changed);
  let status: string | null = null;
  let priority: string | null = null;
  let team: { value: string | null } | null = null;
  let assignee: { value: string | null } | null = null;
  let next = 0;
  points.forEach((point, index) => {
    for (; next < changes.length && changes[next]!.changed_at! < point; next += 1) {
      const change = changes[next]!;
      status = change.status_to ?? status;
      priority = change.priority_to ?? priority;
      if (change.team_changed) team = { value: change.team_to };
      if (change.assignee_changed) assignee = { value: change.assignee_to };
    }
    visit(index, {
      status: status ?? ticket.status,
      priority: priority ?? ticket.priority,
      teamId: team ? team.value : firstTeamChange ? firstTeamChange.team_from : ticket.team_id,
      assigneeId: assignee ? assignee.value : firstAssigneeChange ? firstAssigneeChange.assignee_from : ticket.assignee_id,
    });
  });
}
