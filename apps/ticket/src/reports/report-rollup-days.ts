import type { EntityManager } from 'typeorm';
import {
  S,
  firstResponseOutcomeAt,
  firstResponsePendingDue,
  nextResponseOutcomeAt,
  nextResponsePendingDue,
  resolutionOutcomeAt,
  resolutionPendingDue,
  staleUnder,
  tenthsOf,
} from './report-sql.js';

const lockKey = (orgId: string) => `report-rollups:${orgId}`;

/** Takes the organizations' rollup locks, always in the same order, for the rest of the transaction. */
export async function lockRollups(manager: EntityManager, orgIds: Iterable<string>): Promise<void> {
  for (const orgId of [...new Set(orgIds)].sort()) await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(orgId)]);
}

/** Past this many stale tickets, an organization's days are not worth counting yet: its sweep is still on them. */
export const STALE_LIMIT = 5_000;

/**
 * SQL: the days (column `day`) that some stale ticket of organization $1 touches, now or as a counted
 * day holds it; or, when it has more than STALE_LIMIT stale tickets, every day (column `everything`).
 */
export const STALE_DAYS_SQL = `
  WITH stale AS MATERIALIZED (
    SELECT t.created_at, t.first_responded_at, t.resolved_at, t.report_rolled_days FROM ${S}.tickets t
    WHERE t.organization_id = $1 AND t.report_facts_calendar IS NULL LIMIT ${STALE_LIMIT + 1}
  )
  SELECT (SELECT count(*) FROM stale) > ${STALE_LIMIT} AS everything,
    ARRAY(SELECT DISTINCT unnest(${S}.report_days(created_at, first_responded_at, resolved_at) || COALESCE(report_rolled_days, '{}'))::text FROM stale) AS days`;

/** The days of organization `orgId` a rollup cannot be counted for now (stale tickets touch them), or null for all of them. */
export async function staleDays(manager: EntityManager, orgId: string): Promise<Set<string> | null> {
  const [{ everything, days }] = await manager.query<Array<{ everything: boolean; days: string[] }>>(STALE_DAYS_SQL, [orgId]);
  return everything ? null : new Set(days);
}

/**
 * After facts were counted, under lockRollups: counts again those of `days` that have a rollup, or
 * drops the ones other stale tickets still touch (counted when those are).
 */
export async function recountHeldDays(manager: EntityManager, orgId: string, days: string[], key: string, countedAt: Date): Promise<void> {
  const held = (await manager.query<Array<{ day: string }>>(`SELECT day::text FROM ${S}.report_rollup_days WHERE organization_id = $1 AND day = ANY($2::date[])`, [orgId, days])).map((row) => row.day);
  if (held.length === 0) return;
  const stale = await staleDays(manager, orgId);
  const dropped = stale ? held.filter((day) => stale.has(day)) : held;
  if (dropped.length > 0) await manager.query(`DELETE FROM ${S}.report_rollup_days WHERE organization_id = $1 AND day = ANY($2::date[])`, [orgId, dropped]);
  if (stale) await countRollupDays(manager, orgId, held.filter((day) => !stale.has(day)), key, countedAt);
}

/** The UTC day (YYYY-MM-DD) an instant falls on. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

const CREATED_OUTCOMES = `${firstResponseOutcomeAt('$4::timestamptz')} AS first_response_sla, ${nextResponseOutcomeAt('$4::timestamptz')} AS next_response_sla, ${resolutionOutcomeAt('$4::timestamptz')} AS resolution_sla,
    ${firstResponsePendingDue('$4::timestamptz')} AS first_response_due, ${nextResponsePendingDue('$4::timestamptz')} AS next_response_due, ${resolutionPendingDue('$4::timestamptz')} AS resolution_due`;

// One part of a day's figures per row: a ticket created (counts, SLA outcomes), first answered (minutes) or solved (count, minutes) that day.
const dayPart = (part: 'created' | 'responded' | 'solved', column: string) => `
  SELECT d.day, '${part}' AS part, t.assignee_id, t.team_id, ${staleUnder('$3')} AS stale,
    ${part === 'responded' ? tenthsOf('first_response') : 'NULL::int'} AS first_response, ${part === 'solved' ? tenthsOf('resolution') : 'NULL::int'} AS resolution,
    ${part === 'created' ? CREATED_OUTCOMES : 'NULL AS first_response_sla, NULL AS next_response_sla, NULL AS resolution_sla, NULL::timestamptz AS first_response_due, NULL::timestamptz AS next_response_due, NULL::timestamptz AS resolution_due'}
  FROM unnest($2::date[]) AS d(day)
  JOIN ${S}.tickets t ON t.organization_id = $1 AND t.${column} >= d.day::timestamp AT TIME ZONE 'UTC' AND t.${column} < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
  LEFT JOIN ${S}.sla_policies policy ON policy.id = t.sla_policy_id`;
const packedDues = (name: string) => `string_agg(int8send((extract(epoch FROM ${name}_due) * 1000000)::bigint), ''::bytea) FILTER (WHERE part = 'created')`;
const outcomeCounts = (name: string) =>
  `count(*) FILTER (WHERE part = 'created' AND ${name}_sla = 'met')::int, count(*) FILTER (WHERE part = 'created' AND ${name}_sla = 'breached')::int`;

/**
 * Counts the rollup of each of `days` (UTC, YYYY-MM-DD) of an organization from its tickets, under the
 * calendar `key`, as at `countedAt`. A day
 * with a ticket whose facts are stale under `key` is dropped instead: the report reads it from the
 * tickets, and it is counted again when those facts are. Call under lockRollups.
 */
export async function countRollupDays(manager: EntityManager, orgId: string, days: string[], key: string, countedAt: Date): Promise<void> {
  if (days.length === 0) return;
  await manager.query(
    `INSERT INTO ${S}.report_rollup_days (organization_id, day, calendar, counted_at) SELECT $1, day, $3, $4 FROM unnest($2::date[]) AS day
     ON CONFLICT (organization_id, day) DO UPDATE SET calendar = EXCLUDED.calendar, counted_at = EXCLUDED.counted_at`,
    [orgId, days, key, countedAt.toISOString()],
  );
  await manager.query(`DELETE FROM ${S}.report_rollup_cells WHERE organization_id = $1 AND day = ANY($2::date[])`, [orgId, days]);
  const daysWithStale = await manager.query<Array<{ day: string }>>(
    `WITH parts AS (${dayPart('created', 'created_at')} UNION ALL ${dayPart('responded', 'first_responded_at')} UNION ALL ${dayPart('solved', 'resolved_at')}),
     counted AS (
       INSERT INTO ${S}.report_rollup_cells (organization_id, day, assignee_id, team_id, created, solved, first_response_tenths, resolution_tenths,
         first_response_sla_met, first_response_sla_breached, next_response_sla_met, next_response_sla_breached, resolution_sla_met, resolution_sla_breached,
         first_response_due_ats, next_response_due_ats, resolution_due_ats)
       SELECT $1, day, assignee_id, team_id, count(*) FILTER (WHERE part = 'created')::int, count(*) FILTER (WHERE part = 'solved')::int,
         string_agg(int4send(first_response), ''::bytea), string_agg(int4send(resolution), ''::bytea),
         ${outcomeCounts('first_response')}, ${outcomeCounts('next_response')}, ${outcomeCounts('resolution')},
         ${packedDues('first_response')}, ${packedDues('next_response')}, ${packedDues('resolution')}
       FROM parts GROUP BY day, assignee_id, team_id
     )
     SELECT DISTINCT day::text FROM parts WHERE stale`,
    [orgId, days, key, countedAt.toISOString()],
  );
  if (daysWithStale.length > 0) {
    await manager.query(`DELETE FROM ${S}.report_rollup_days WHERE organization_id = $1 AND day = ANY($2::date[])`, [orgId, daysWithStale.map((row) => row.day)]);
  }
}
