import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Row } from '../lib/report.js';
import { REPORT_LIMITS } from '@helpdesk/contracts';
import { BenchStack } from '../lib/stack.js';
import type { BenchOptions } from '../run.js';
import { seededRandom } from '../../test/support/seeded-random.js';

const TARGET_MS = 500;
// The ticket service keeps a backlog snapshot for each local midnight of the longest range (report-backlog.ts).
const SNAPSHOT_DAYS = REPORT_LIMITS.maxRangeDays + 1;
// And a rollup for each UTC day a report of the longest range covers whole (report-rollups.ts).
const ROLLUP_DAYS = REPORT_LIMITS.maxRangeDays + 2;
const RUNS = 5;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STATUSES = ['new', 'open', 'open', 'pending', 'on_hold', 'solved', 'solved', 'solved', 'closed', 'closed'];
const PRIORITIES = ['low', 'normal', 'normal', 'high', 'urgent'];

/**
 * N tickets (BENCH_TICKETS, default 1,000,000) of one organization over the last year, with SLA due
 * times, first responses, solves and breaches, and their history rows (creation and status changes);
 * half of them under a business-hours policy, whose minutes walk the business calendar.
 */
async function copyData(client: pg.Client, orgId: string, policyIds: string[], agents: string[], teams: string[], customers: string[], count: number): Promise<void> {
  const random = seededRandom(11);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const events: string[] = [];
  // Tickets are numbered and stored in the order they were opened, as a desk writes them.
  const openedAt = Float64Array.from({ length: count }, () => now - Math.floor(random() * 365 * DAY)).sort();
  function* tickets(): Generator<string> {
    for (let number = 1; number <= count; number += 1) {
      const id = randomUUID();
      const status = pick(STATUSES);
      const priority = pick(PRIORITIES);
      const created = openedAt[number - 1]!;
      const responded = random() < 0.8 ? created + Math.floor(random() * 8 * HOUR) : null;
      const solved = status === 'solved' || status === 'closed' ? created + Math.floor(random() * 5 * DAY) : null;
      const firstDue = created + 4 * HOUR;
      const resolutionDue = created + 3 * DAY;
      // Breaches as the SLA enforcer marks them on time (else the ticket service would spend the run catching up on a year of them).
      const breached = (responded ?? solved ?? now) > firstDue ? iso(firstDue) : '\\N';
      const resolutionBreached = (solved ?? (status === 'pending' ? -Infinity : now)) > resolutionDue ? iso(resolutionDue) : '\\N';
      events.push(`${orgId}\t${id}\tcreated\t{"status":{"from":null,"to":"new"},"priority":{"from":null,"to":"${priority}"}}\t${iso(created)}\n`);
      if (solved !== null) events.push(`${orgId}\t${id}\tupdated\t{"status":{"from":"open","to":"${status}"}}\t${iso(Math.min(solved, now))}\n`);
      yield `${id}\t${orgId}\t${number}\tTicket ${number}\t<p>Ticket ${number}</p>\t${status}\t${priority}\tweb\t{}\t${pick(customers)}\t${random() < 0.8 ? pick(agents) : '\\N'}\t${pick(teams)}\t${pick(policyIds)}\t${iso(created)}\t${responded === null ? '\\N' : iso(responded)}\t${iso(firstDue)}\t${breached}\t${iso(resolutionDue)}\t${resolutionBreached}\t${solved === null ? '\\N' : iso(Math.min(solved, now))}\n`;
    }
  }
  await pipeline(
    Readable.from(tickets(), { objectMode: false }),
    client.query(
      copyFrom(
        'COPY helpdesk.tickets (id, organization_id, number, subject, description, status, priority, channel, tags, requester_id, assignee_id, team_id, sla_policy_id, created_at, first_responded_at, first_response_due_at, first_response_breached_at, resolution_due_at, resolution_breached_at, resolved_at) FROM STDIN',
      ),
    ),
  );
  await pipeline(Readable.from(events, { objectMode: false }), client.query(copyFrom('COPY helpdesk.ticket_events (organization_id, ticket_id, action, changes, created_at) FROM STDIN')));
  await client.query(`UPDATE helpdesk.organizations SET next_ticket_number = $2 WHERE id = $1`, [orgId, count + 1]);
  await client.query('ANALYZE helpdesk.tickets');
  await client.query('ANALYZE helpdesk.ticket_events');
}

/** GET /reports/overview (7, 30 and 365 days) and the CSV export of 7 days, through the built gateway and ticket service, median of RUNS. */
export async function reportsBench(options: BenchOptions): Promise<{ rows: Row[]; results: Record<string, unknown> }> {
  const stack = await BenchStack.start('reports', ['ticket', 'gateway']);
  const client = await stack.connectDatabase();
  try {
    const { orgId, email } = await stack.signup();
    const users = async (role: string, count: number) =>
      (await client.query<{ id: string }>(`INSERT INTO helpdesk.users (organization_id, email, name, role) SELECT $1, $2 || n || '@bench.test', $2 || ' ' || n, $2 FROM generate_series(1, $3) AS n RETURNING id`, [orgId, role, count])).rows.map((row) => row.id);
    const agents = await users('agent', 20);
    const customers = await users('customer', 200);
    const teams = (await client.query<{ id: string }>(`INSERT INTO helpdesk.teams (organization_id, name) SELECT $1, 'Team ' || n FROM generate_series(1, 5) AS n RETURNING id`, [orgId])).rows.map((row) => row.id);
    const policies = (await client.query<{ id: string }>(
      `INSERT INTO helpdesk.sla_policies (organization_id, name, priority, first_response_minutes, resolution_minutes, business_hours_only, active)
       VALUES ($1, 'bench calendar', 'normal', 240, 4320, false, false), ($1, 'bench business hours', 'high', 240, 4320, true, false) RETURNING id`,
      [orgId],
    )).rows;
    const loadStarted = performance.now();
    await copyData(client, orgId, policies.map((policy) => policy.id), agents, teams, customers, options.tickets);
    const loadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;
    console.log(`  loaded ${options.tickets} tickets in ${loadSeconds} s`);
    // COPY leaves every ticket's report facts to count: the ticket service's background sweep does it.
    const factsStarted = performance.now();
    while ((await client.query(`SELECT 1 FROM helpdesk.tickets WHERE report_facts_calendar IS NULL LIMIT 1`)).rowCount) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const factsSeconds = Math.round((performance.now() - factsStarted) / 100) / 10;
    // Counting the facts rewrote every row once; autovacuum would clear the old versions within minutes.
    await client.query('VACUUM ANALYZE helpdesk.tickets');
    console.log(`  report facts of ${options.tickets} tickets counted in ${factsSeconds} s`);
    // And a year of daily backlog snapshots, written by the same service from the history.
    const snapshotsStarted = performance.now();
    while ((await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM helpdesk.report_backlog_snapshots WHERE organization_id = $1`, [orgId])).rows[0]!.count < SNAPSHOT_DAYS) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const snapshotSeconds = Math.round((performance.now() - snapshotsStarted) / 100) / 10;
    console.log(`  ${SNAPSHOT_DAYS} backlog snapshots written in ${snapshotSeconds} s`);
    const rollupsStarted = performance.now();
    while ((await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM helpdesk.report_rollup_days WHERE organization_id = $1`, [orgId])).rows[0]!.count < ROLLUP_DAYS) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const rollupSeconds = Math.round((performance.now() - rollupsStarted) / 100) / 10;
    console.log(`  ${ROLLUP_DAYS} daily rollups counted in ${rollupSeconds} s more`);

    // Loading and counting a million tickets outlasts the first access token.
    const token = await stack.login(email);
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10);
    // The median of RUNS answers, or the first error status with the time it took (a miss is reported, not thrown).
    const time = async (path: string): Promise<number | string> => {
      const timings: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        const response = await fetch(`${stack.url('gateway')}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
        const took = Math.round(performance.now() - started);
        if (response.status !== 200) return `${response.status} after ${took} ms`;
        timings.push(took);
      }
      return timings.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
    };
    const measured = {
      overview7: await time(`/reports/overview?from=${day(6)}&to=${day(0)}`),
      overview30: await time(`/reports/overview?from=${day(29)}&to=${day(0)}&interval=day`),
      overview365: await time(`/reports/overview?from=${day(364)}&to=${day(0)}&interval=week`),
      // One team of five: its figures from the same rollups and snapshots, keeping its own cells and counts.
      team30: await time(`/reports/overview?from=${day(29)}&to=${day(0)}&interval=day&teamId=${teams[0]}`),
      team365: await time(`/reports/overview?from=${day(364)}&to=${day(0)}&interval=week&teamId=${teams[0]}`),
      export7: await time(`/reports/export.csv?from=${day(6)}&to=${day(0)}`),
    };
    const label = `reports, ${options.tickets.toLocaleString('en-US')} tickets`;
    const row = (measure: string, ms: number | string, target = true): Row => ({
      benchmark: label,
      measure,
      platform: String(ms),
      baseline: '',
      ratio: '',
      target: target ? `< ${TARGET_MS} ms` : '',
      met: target ? (typeof ms === 'number' && ms < TARGET_MS ? 'yes' : 'no') : '',
    });
    return {
      rows: [
        row('overview, last 7 days, median ms', measured.overview7),
        row('overview, last 30 days by day, median ms', measured.overview30),
        row('overview, last 365 days by week, median ms', measured.overview365),
        row('overview of one team, last 30 days by day, median ms', measured.team30),
        row('overview of one team, last 365 days by week, median ms', measured.team365),
        row('CSV export, last 7 days, median ms', measured.export7, false),
      ],
      results: { tickets: options.tickets, loadSeconds, factsSeconds, snapshotSeconds, rollupSeconds, ...measured },
    };
  } finally {
    await client.end();
    await stack.stop();
  }
}
