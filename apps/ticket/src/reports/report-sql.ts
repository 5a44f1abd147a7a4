import { TICKET_SCHEMA } from '../database/schema.js';

/** SQL shared by the report's reads and the rollups' counts, over tickets `t` and their `policy` (docs/reports.md). */
export const S = TICKET_SCHEMA;
export const FINISHED = `('solved', 'closed')`;

/** Each target's outcome at the instant `now` (an SQL expression): 'met', 'breached' or NULL (none yet, or no target). */
export const firstResponseOutcomeAt = (now: string) => `CASE WHEN t.first_response_due_at IS NULL THEN NULL WHEN t.first_response_breached_at IS NOT NULL THEN 'breached'
  WHEN t.first_responded_at IS NOT NULL THEN CASE WHEN t.first_responded_at <= t.first_response_due_at THEN 'met' ELSE 'breached' END
  WHEN COALESCE(t.resolved_at, ${now}) > t.first_response_due_at THEN 'breached' END`;
export const nextResponseOutcomeAt = (now: string) => `CASE WHEN policy.next_response_minutes IS NULL THEN NULL WHEN t.next_response_breached_at IS NOT NULL THEN 'breached'
  WHEN t.next_response_due_at IS NOT NULL AND t.status NOT IN ${FINISHED} THEN CASE WHEN t.next_response_due_at < ${now} THEN 'breached' END
  WHEN t.report_next_response_window THEN 'met' END`;
export const resolutionOutcomeAt = (now: string) => `CASE WHEN t.resolution_due_at IS NULL THEN NULL WHEN t.resolution_breached_at IS NOT NULL THEN 'breached'
  WHEN t.resolved_at IS NOT NULL THEN CASE WHEN t.resolved_at <= t.resolution_due_at THEN 'met' ELSE 'breached' END
  WHEN t.sla_paused_at IS NOT NULL THEN NULL WHEN t.resolution_due_at < ${now} THEN 'breached' END`;

/**
 * The due time that decides each target's outcome later, for a ticket whose outcome at `now` is still
 * open and turns 'breached' once the due time has passed (the last branch of each outcome above).
 */
export const firstResponsePendingDue = (now: string) =>
  `CASE WHEN t.first_response_due_at >= ${now} AND t.first_response_breached_at IS NULL AND t.first_responded_at IS NULL AND t.resolved_at IS NULL THEN t.first_response_due_at END`;
export const nextResponsePendingDue = (now: string) =>
  `CASE WHEN policy.next_response_minutes IS NOT NULL AND t.next_response_breached_at IS NULL AND t.next_response_due_at >= ${now} AND t.status NOT IN ${FINISHED} THEN t.next_response_due_at END`;
export const resolutionPendingDue = (now: string) =>
  `CASE WHEN t.resolution_due_at >= ${now} AND t.resolution_breached_at IS NULL AND t.resolved_at IS NULL AND t.sla_paused_at IS NULL THEN t.resolution_due_at END`;

/** The ticket's minutes for `figure` in tenths: business minutes under a business-hours policy. */
export const tenthsOf = (figure: 'first_response' | 'resolution') =>
  `CASE WHEN policy.business_hours_only THEN t.report_${figure}_business_tenths ELSE t.report_${figure}_calendar_tenths END`;

/** Facts of a ticket without minutes are kept with calendar 0: they hold under any calendar. */
export const NO_MINUTES = '0';

/** The ticket's facts (as `t`) are stale under the calendar key given as the SQL parameter `key`. */
export const staleUnder = (key: string) => `t.report_facts_calendar IS DISTINCT FROM ${key}::bigint AND t.report_facts_calendar IS DISTINCT FROM ${NO_MINUTES}`;
