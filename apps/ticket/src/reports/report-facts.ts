import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RepeatingJob } from '@helpdesk/common';
import { DataSource } from 'typeorm';
import { calendarOf } from '../organizations/organization-calendar.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { elapsedTargetMinutes } from '../sla/sla-clock.js';
import { lockRollups, recountHeldDays } from './report-rollup-days.js';
import { NO_MINUTES, S, staleUnder } from './report-sql.js';

const BATCH = 1_000;
const SWEEP_INTERVAL_MS = 2_000;

/** What the facts of one ticket are counted from. */
interface FactInputs {
  id: string;
  organization_id: string;
  row_version: string;
  created_at: Date;
  first_responded_at: Date | null;
  resolved_at: Date | null;
  has_policy: boolean;
  sla_paused_minutes: number;
  next_response_window: boolean;
  timezone: string;
  business_hours: BusinessCalendar['businessHours'];
  holidays: string[];
}

/** The calendar a ticket's business minutes were counted with, as a 48-bit number (fits a bigint and a JS number). */
export function calendarKey(calendar: BusinessCalendar): string {
  const digest = createHash('sha256').update(JSON.stringify([calendar.timezone, calendar.businessHours, calendar.holidays])).digest();
  return String(digest.readUIntBE(0, 6));
}

const tenths = (minutes: number) => Math.round(minutes * 10);

/**
 * Keeps each ticket's report facts (migration 1766950000000): first response and resolution minutes in
 * calendar and business time, to a tenth of a minute as docs/reports.md rounds them, and whether the
 * requester wrote after the first response. Triggers mark a ticket's facts stale when an input
 * changes; this counts them again, every SWEEP_INTERVAL_MS for the whole database, and for one
 * organization's range before a report reads it (docs/reports.md, "Not read stale").
 */
@Injectable()
export class ReportFacts implements OnModuleInit, OnApplicationShutdown {
  // A sweep through a large backlog outlasts the interval: the next one starts when it ends.
  private readonly schedule = new RepeatingJob('Report facts sweep', SWEEP_INTERVAL_MS, () => this.sweep(), new Logger(ReportFacts.name));
  private closed = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // A sweep stops after its current batch, so shutdown waits one batch, not a whole backlog.
    this.closed = true;
    await this.stopSchedule();
  }

  /** Stops the sweeps every SWEEP_INTERVAL_MS (facts are then counted by sweep and refresh only); resolves when none runs. */
  stopSchedule(): Promise<void> {
    return this.schedule.stop();
  }

  /** Counts stale facts of any organization until none are left (or `maxBatches` batches); returns how many. */
  async sweep(maxBatches = 100): Promise<number> {
    let counted = 0;
    for (let batch = 0; batch < maxBatches && !this.closed; batch += 1) {
      const stale = await this.inputs(`t.report_facts_calendar IS NULL`, []);
      if (stale.length === 0) break;
      const written = await this.write(stale);
      counted += written;
      if (stale.length < BATCH || written === 0) break;
    }
    return counted;
  }

  /**
   * Counts again the facts of one organization's tickets matching `where` (SQL over `t`, parameters from
   * $2) that are stale or were counted with another calendar; returns how many were written.
   */
  async refresh(orgId: string, calendar: BusinessCalendar, where: string, parameters: unknown[]): Promise<number> {
    let counted = 0;
    for (;;) {
      const stale = await this.inputs(`t.organization_id = $1 AND ${staleUnder('$2')} AND (${where})`, [orgId, calendarKey(calendar), ...parameters]);
      if (stale.length === 0) return counted;
      // Counted with the report's calendar, so they leave this stale set even if the calendar changes meanwhile.
      const written = await this.write(stale, calendar);
      counted += written;
      // Rows that changed under us, or were held, are stale still: another pass, while passes make progress.
      if ((stale.length < BATCH && written === stale.length) || written === 0) return counted;
    }
  }

  private inputs(where: string, parameters: unknown[]): Promise<FactInputs[]> {
    return this.dataSource.query<FactInputs[]>(
      `SELECT t.id, t.organization_id, t.xmin::text AS row_version, t.created_at, t.first_responded_at, t.resolved_at, (t.sla_policy_id IS NOT NULL) AS has_policy,
              t.sla_paused_minutes, o.timezone, o.business_hours, o.holidays,
              (t.first_responded_at IS NOT NULL AND EXISTS (
                 SELECT 1 FROM ${S}.comments reply WHERE reply.ticket_id = t.id AND reply.author_id = t.requester_id AND NOT reply.internal AND reply.created_at > t.first_responded_at
               )) AS next_response_window
       FROM ${S}.tickets t JOIN ${S}.organizations o ON o.id = t.organization_id
       WHERE ${where} LIMIT ${BATCH}`,
      parameters,
    );
  }

  /**
   * Writes the facts of rows not changed since they were read (their xmin), counted with `calendar` or
   * else their organization's; returns how many.
   */
  private async write(rows: FactInputs[], calendarOfAll?: BusinessCalendar): Promise<number> {
    const calendars = new Map<string, { calendar: BusinessCalendar; key: string }>();
    const facts = rows.map((row) => {
      let entry = calendars.get(row.organization_id);
      if (!entry) {
        const calendar = calendarOfAll ?? calendarOf({ timezone: row.timezone, businessHours: row.business_hours, holidays: row.holidays });
        entry = { calendar, key: calendarKey(calendar) };
        calendars.set(row.organization_id, entry);
      }
      const counted = countFacts(row, entry.calendar);
      return { row, key: counted.firstResponse || counted.resolution ? entry.key : NO_MINUTES, ...counted };
    });
    const column = <T>(pick: (fact: (typeof facts)[number]) => T) => facts.map(pick);
    const keys = new Map([...calendars].map(([orgId, entry]) => [orgId, entry.key]));
    return this.dataSource.transaction(async (manager) => {
      // The rollup days holding these tickets are counted again with their new facts, one writer per organization at a time.
      await lockRollups(manager, keys.keys());
      const [written] = await manager.query<[Array<{ organization_id: string; days: string[] }>, number]>(
        // Rows another writer holds (a ticket command, the sweep beside a report) are skipped, not waited
        // for: two batches locking shared rows in different orders could deadlock. They stay stale for the next pass.
        `WITH f AS (
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[], $8::boolean[]) AS f(id, row_version, calendar_key, fr_calendar, fr_business, res_calendar, res_business, next_window)
         ), claimed AS (
           SELECT t.id, t.report_rolled_days FROM ${S}.tickets t JOIN f ON f.id = t.id WHERE t.xmin = f.row_version::xid FOR UPDATE OF t SKIP LOCKED
         )
         UPDATE ${S}.tickets t SET report_facts_calendar = f.calendar_key, report_first_response_calendar_tenths = f.fr_calendar, report_first_response_business_tenths = f.fr_business,
                report_resolution_calendar_tenths = f.res_calendar, report_resolution_business_tenths = f.res_business, report_next_response_window = f.next_window, report_rolled_days = NULL
         FROM f JOIN claimed ON claimed.id = f.id WHERE t.id = f.id AND t.xmin = f.row_version::xid
         RETURNING t.organization_id, (${S}.report_days(t.created_at, t.first_responded_at, t.resolved_at) || COALESCE(claimed.report_rolled_days, '{}'))::text[] AS days`,
        [
          column((fact) => fact.row.id),
          column((fact) => fact.row.row_version),
          column((fact) => fact.key),
          column((fact) => fact.firstResponse?.calendar ?? null),
          column((fact) => fact.firstResponse?.business ?? null),
          column((fact) => fact.resolution?.calendar ?? null),
          column((fact) => fact.resolution?.business ?? null),
          column((fact) => fact.row.next_response_window),
        ],
      );
      const daysByOrganization = new Map<string, Set<string>>();
      for (const row of written) {
        const days = daysByOrganization.get(row.organization_id) ?? new Set<string>();
        for (const day of row.days) days.add(day);
        daysByOrganization.set(row.organization_id, days);
      }
      const countedAt = new Date();
      for (const [orgId, days] of daysByOrganization) await recountHeldDays(manager, orgId, [...days], keys.get(orgId)!, countedAt);
      return written.length;
    });
  }
}

/**
 * One ticket's minutes in tenths, as docs/reports.md defines them: created to first public staff
 * reply; created to (last) solve less the paused time its SLA clock did not count (tickets with a policy).
 */
export function countFacts(ticket: Pick<FactInputs, 'created_at' | 'first_responded_at' | 'resolved_at' | 'has_policy' | 'sla_paused_minutes'>, calendar: BusinessCalendar) {
  const span = (to: Date, less: number) => ({
    calendar: tenths(Math.max(0, elapsedTargetMinutes(ticket.created_at, to, false, calendar) - less)),
    business: tenths(Math.max(0, elapsedTargetMinutes(ticket.created_at, to, true, calendar) - less)),
  });
  return {
    firstResponse: ticket.first_responded_at ? span(ticket.first_responded_at, 0) : null,
    resolution: ticket.resolved_at ? span(ticket.resolved_at, ticket.has_policy ? Number(ticket.sla_paused_minutes) : 0) : null,
  };
}
