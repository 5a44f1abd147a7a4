import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RepeatingJob } from '@helpdesk/common';
import { REPORT_LIMITS } from '@helpdesk/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { calendarOf } from '../organizations/organization-calendar.js';
import type { Organization } from '../organizations/organization.entity.js';
import { ReportFacts, calendarKey } from './report-facts.js';
import { countRollupDays, lockRollups, staleDays, utcDay } from './report-rollup-days.js';
import { S } from './report-sql.js';

const DAY_MS = 86_400_000;
/** Every UTC day a report of up to maxRangeDays local days can cover whole. */
export const ROLLUP_DAYS = REPORT_LIMITS.maxRangeDays + 2;
// A day is counted only once it ended this long ago, so a write stamped within it has committed by then.
const ROLLUP_MARGIN_MS = 10 * 60_000;
const RUN_INTERVAL_MS = 15_000;
const DAYS_PER_RUN = 120;
const DAYS_PER_COUNT = 7;
const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * Daily report rollups (migration 1766960000000, docs/reports.md): counts the missing days of every
 * organization's last ROLLUP_DAYS in the background, and tells a report which days of its range it can
 * read from them. Days already counted are kept current by ReportFacts, which counts a day again with
 * the facts of any ticket it holds.
 */
@Injectable()
export class ReportRollups implements OnModuleInit, OnApplicationShutdown {
  private readonly schedule = new RepeatingJob('Report rollups', RUN_INTERVAL_MS, () => this.countAll(), new Logger(ReportRollups.name));
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ReportFacts) private readonly facts: ReportFacts,
  ) {}

  onModuleInit(): void {
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.stopSchedule();
  }

  /** Stops the runs every RUN_INTERVAL_MS (days are then counted by countAll and ReportFacts only); resolves when none runs. */
  stopSchedule(): Promise<void> {
    return this.schedule.stop();
  }

  /**
   * Counts the missing or out-of-calendar days of every organization, newest first, at most `maxDays`
   * in all; drops an organization's days older than the window as it fills it. Returns how many days were counted.
   */
  async countAll(now = new Date(), maxDays = DAYS_PER_RUN): Promise<number> {
    const days = rollupWindow(now);
    const organizations = await this.dataSource.query<Array<Pick<Organization, 'id' | 'timezone' | 'holidays'> & { business_hours: Organization['businessHours'] }>>(
      `SELECT id, timezone, business_hours, holidays FROM ${S}.organizations ORDER BY id`,
    );
    const withCalendars = organizations.map((organization) => {
      const calendar = calendarOf({ timezone: organization.timezone, businessHours: organization.business_hours, holidays: organization.holidays });
      return { id: organization.id, calendar, key: calendarKey(calendar) };
    });
    // One index count per organization decides which have their whole window under their calendar.
    const complete = new Set(
      (
        await this.dataSource.query<Array<{ id: string }>>(
          `SELECT x.id FROM unnest($1::uuid[], $2::bigint[]) AS x(id, calendar)
           WHERE (SELECT count(*) FROM ${S}.report_rollup_days r WHERE r.organization_id = x.id AND r.day >= $3::date AND r.calendar = x.calendar) = $4`,
          [withCalendars.map((organization) => organization.id), withCalendars.map((organization) => organization.key), days.at(-1), days.length],
        )
      ).map((row) => row.id),
    );
    let counted = 0;
    for (const organization of withCalendars) {
      if (this.closed || counted >= maxDays) break;
      if (complete.has(organization.id)) continue;
      // A new day is missing once a day: the day that left the window goes then.
      await this.dataSource.query(`DELETE FROM ${S}.report_rollup_days WHERE organization_id = $1 AND day < $2::date`, [organization.id, days.at(-1)]);
      // Days stale tickets touch would be dropped again at once: they are counted when those tickets are.
      const stale = await staleDays(this.dataSource.manager, organization.id);
      if (!stale) continue;
      const have = new Set(
        (
          await this.dataSource.query<Array<{ day: string }>>(`SELECT day::text FROM ${S}.report_rollup_days WHERE organization_id = $1 AND day >= $2::date AND calendar = $3`, [
            organization.id,
            days.at(-1),
            organization.key,
          ])
        ).map((row) => row.day),
      );
      const missing = days.filter((day) => !have.has(day) && !stale.has(day));
      // The days before the organization's first ticket hold nothing: one statement counts them all
      // (a new organization would otherwise cost a year of runs).
      const [{ first }] = await this.dataSource.query<Array<{ first: Date | null }>>(`SELECT min(created_at) AS first FROM ${S}.tickets WHERE organization_id = $1`, [organization.id]);
      const empty = missing.filter((day) => !first || day < utcDay(first));
      if (empty.length > 0) {
        await this.dataSource.transaction(async (manager) => {
          await lockRollups(manager, [organization.id]);
          await countRollupDays(manager, organization.id, empty, organization.key, new Date());
        });
        counted += 1;
      }
      const busy = missing.filter((day) => first && day >= utcDay(first)).slice(0, Math.max(0, maxDays - counted));
      for (let index = 0; index < busy.length && !this.closed; index += DAYS_PER_COUNT) {
        const chunk = busy.slice(index, index + DAYS_PER_COUNT);
        await this.count(organization.id, organization.calendar, chunk);
        counted += chunk.length;
      }
    }
    return counted;
  }

  /** Counts these days of one organization: their tickets' stale facts first, then the days under its lock. */
  private async count(orgId: string, calendar: Parameters<typeof calendarKey>[0], days: string[]): Promise<void> {
    const starts = days.map(dayStart);
    const from = new Date(Math.min(...starts.map(Number)));
    const to = new Date(Math.max(...starts.map(Number)) + DAY_MS);
    await this.facts.refresh(
      orgId,
      calendar,
      `(t.created_at >= $3 AND t.created_at < $4) OR (t.first_responded_at >= $3 AND t.first_responded_at < $4) OR (t.resolved_at >= $3 AND t.resolved_at < $4)`,
      [from.toISOString(), to.toISOString()],
    );
    await this.dataSource.transaction(async (manager) => {
      await lockRollups(manager, [orgId]);
      await countRollupDays(manager, orgId, days, calendarKey(calendar), new Date());
    });
  }
}

/** The UTC days a rollup is kept for at `now`, newest first: each ended at least ROLLUP_MARGIN_MS ago. */
export function rollupWindow(now: Date): string[] {
  const newestEnd = Math.floor((now.getTime() - ROLLUP_MARGIN_MS) / DAY_MS) * DAY_MS;
  return Array.from({ length: ROLLUP_DAYS }, (_, index) => utcDay(new Date(newestEnd - (index + 1) * DAY_MS)));
}
