import { subjects, type MinutesSummary, type Principal, type ReportExportPage, type ReportOverview, type ReportTicketRow, type SlaOutcome } from '@helpdesk/contracts';
import { seededRandom } from '@helpdesk/testing';
import { expect } from 'vitest';
import { ReportsService } from '../reports/reports.service.js';
import type { TicketHarness } from './ticket-harness.js';

/** One overview to check: who asks, and the filters. */
export interface ReportCase {
  caller: Principal;
  from: string;
  to: string;
  teamId?: string;
  agentId?: string;
}

/**
 * A random desk for the report equality tests: 240 tickets of one organization in Berlin from 20 October
 * 2026 for 30 days, across the DST change and two holidays, with business-hours, calendar and no
 * policies, paused SLAs, next-response windows, three agents and two teams; and the overviews to check.
 */
export async function seedRandomDesk(harness: TicketHarness, name: string) {
  const sql = (statement: string, parameters: unknown[]) => harness.dataSource.query(statement, parameters);
  const { admin: owner } = await harness.signup(name);
  await sql(`UPDATE helpdesk.organizations SET timezone = 'Europe/Berlin', holidays = '["2026-10-26", "2026-11-11"]' WHERE id = $1`, [owner.orgId]);
  const random = seededRandom(19);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const agents = await Promise.all([1, 2, 3].map(() => harness.addUser(owner.orgId, 'agent')));
  for (const [index, agent] of agents.entries()) await sql(`UPDATE helpdesk.users SET name = $2 WHERE id = $1`, [agent.userId, `Agent ${index + 1}`]);
  const requester = await harness.addUser(owner.orgId, 'customer');
  const teams = (await sql(`INSERT INTO helpdesk.teams (organization_id, name) SELECT $1, 'Team ' || n FROM generate_series(1, 2) n RETURNING id`, [owner.orgId])) as Array<{ id: string }>;
  await sql(`INSERT INTO helpdesk.team_members (team_id, user_id) VALUES ($1, $2)`, [teams[0]!.id, agents[0]!.userId]);
  const policies = (await sql(
    `INSERT INTO helpdesk.sla_policies (organization_id, name, priority, first_response_minutes, next_response_minutes, resolution_minutes, business_hours_only, active)
     VALUES ($1, 'Business', 'low', 120, 240, 1440, true, false), ($1, 'Calendar', 'high', 60, NULL, 600, false, false) RETURNING id`,
    [owner.orgId],
  )) as Array<{ id: string }>;
  const start = Date.parse('2026-10-20T00:00:00Z');
  const minute = 60_000;
  const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  for (let number = 1; number <= 240; number += 1) {
    const created = start + Math.floor(random() * 30 * 24 * 60) * minute;
    const responded = random() < 0.8 ? created + Math.floor(random() * 3 * 24 * 60 * 10) * 6_000 : null;
    const solved = random() < 0.6 ? (responded ?? created) + Math.floor(random() * 5 * 24 * 60) * minute : null;
    const policy = pick([...policies.map((row) => row.id), null]);
    const paused = policy && random() < 0.3 ? Math.floor(random() * 600) : 0;
    const firstDue = policy ? created + 120 * minute : null;
    const [ticket] = await sql(
      `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, assignee_id, team_id, sla_policy_id, created_at,
         first_responded_at, first_response_due_at, first_response_breached_at, resolution_due_at, resolved_at, sla_paused_minutes, sla_paused_at, next_response_due_at)
       VALUES ($1, $2, 'Random ticket', 'x', $3, 'normal', 'web', '{}', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
      [
        owner.orgId,
        number,
        solved ? pick(['solved', 'closed']) : pick(['open', 'pending', 'new']),
        requester.userId,
        pick([...agents.map((agent) => agent.userId), null]),
        pick([...teams.map((team) => team.id), null]),
        policy,
        at(created),
        at(responded),
        at(firstDue),
        firstDue && responded && random() < 0.3 ? at(firstDue) : null,
        policy ? at(created + 1440 * minute) : null,
        at(solved),
        paused,
        policy && !solved && random() < 0.2 ? at(created + 60 * minute) : null,
        policy && !solved && responded && random() < 0.3 ? at(Date.parse('2026-01-01T00:00:00Z') + Math.floor(random() * 2) * 365 * 24 * 60 * minute) : null,
      ],
    );
    if (responded !== null && random() < 0.4) {
      await sql(`INSERT INTO helpdesk.comments (organization_id, ticket_id, author_id, body, created_at) VALUES ($1, $2, $3, 'More', $4)`, [owner.orgId, ticket.id, requester.userId, at(responded + minute)]);
    }
  }
  await sql(`INSERT INTO helpdesk.users (organization_id, email, name, role) VALUES ($1, 'nobody@example.com', 'Nobody', 'agent')`, [owner.orgId]);

  const agentCaller: Principal = agents[0]!;
  const cases: ReportCase[] = [
    { caller: owner, from: '2026-10-20', to: '2026-11-30' },
    { caller: owner, from: '2026-10-24', to: '2026-11-02' },
    { caller: owner, from: '2026-10-25T01:30:00+02:00', to: '2026-11-10T15:45:00Z' },
    { caller: owner, from: '2026-10-20', to: '2026-11-30', teamId: teams[1]!.id },
    { caller: owner, from: '2026-10-20', to: '2026-11-30', agentId: agents[2]!.userId },
    { caller: agentCaller, from: '2026-10-20', to: '2026-11-30' },
    { caller: agentCaller, from: '2026-11-01', to: '2026-11-14', teamId: teams[0]!.id },
  ];
  return { owner, agents, teams, policies, requester, cases };
}

/**
 * Checks each case's overview against the figures worked out from the export's per-ticket rows (the
 * plain path, report-figures.ts), for the whole and for each agent; at `now` when given (through the
 * service), else at the present (through NATS).
 */
export async function expectOverviewsMatchExport(harness: TicketHarness, cases: ReportCase[], now?: Date): Promise<void> {
  const reports = harness.service.app.get(ReportsService);
  for (const { caller, ...filters } of cases) {
    const overview = now
      ? await reports.overview({ principal: caller, ...filters }, now)
      : await harness.send<ReportOverview>(subjects.reports.overview, { principal: caller, ...filters });
    // The export lists tickets created in its range: a wide one lists every ticket, then the report's range is applied here.
    const rows: ReportTicketRow[] = [];
    let cursor: string | null = null;
    do {
      const command = { principal: caller, from: '2026-06-01', to: '2027-05-31', teamId: filters.teamId, agentId: filters.agentId, cursor: cursor ?? undefined };
      const page: ReportExportPage = now ? await reports.exportPage(command, now) : await harness.send<ReportExportPage>(subjects.reports.exportPage, command);
      rows.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor);
    const expected = referenceFigures(rows, new Date(overview.from), new Date(overview.to));
    expect({ created: overview.created, solved: overview.solved, firstResponseMinutes: overview.firstResponseMinutes, resolutionMinutes: overview.resolutionMinutes, sla: overview.sla }, JSON.stringify(filters)).toEqual(expected);
    for (const agent of overview.agents) {
      expect({ name: agent.name, created: agent.created, solved: agent.solved, firstResponseMinutes: agent.firstResponseMinutes, resolutionMinutes: agent.resolutionMinutes, sla: agent.sla }).toEqual({
        name: agent.name,
        ...referenceFigures(rows.filter((row) => row.assignee === agent.name), new Date(overview.from), new Date(overview.to)),
      });
    }
    expect(overview.created, 'the data set covers the case').toBeGreaterThan(0);
  }
}

/** The overview's figures worked out from the export's per-ticket rows, as docs/reports.md defines them. */
function referenceFigures(rows: ReportTicketRow[], from: Date, to: Date) {
  const within = (instant: string | null) => instant !== null && new Date(instant) >= from && new Date(instant) < to;
  const created = rows.filter((row) => within(row.createdAt));
  const summary = (minutes: number[]): MinutesSummary => {
    if (minutes.length === 0) return { median: null, p90: null };
    const sorted = minutes.map((value) => Math.round(value * 10)).sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
    return { median: median / 10, p90: sorted[Math.ceil(0.9 * sorted.length) - 1]! / 10 };
  };
  const compliance = (outcomes: SlaOutcome[]) => {
    const met = outcomes.filter((outcome) => outcome === 'met').length;
    const breached = outcomes.filter((outcome) => outcome === 'breached').length;
    return { met, breached, percent: met + breached === 0 ? null : Math.round((met / (met + breached)) * 1000) / 10 };
  };
  return {
    created: created.length,
    solved: rows.filter((row) => within(row.solvedAt)).length,
    firstResponseMinutes: summary(rows.filter((row) => within(row.firstRespondedAt)).map((row) => row.firstResponseMinutes!)),
    resolutionMinutes: summary(rows.filter((row) => within(row.solvedAt)).map((row) => row.resolutionMinutes!)),
    sla: {
      firstResponse: compliance(created.map((row) => row.firstResponseSla)),
      nextResponse: compliance(created.map((row) => row.nextResponseSla)),
      resolution: compliance(created.map((row) => row.resolutionSla)),
    },
  };
}
