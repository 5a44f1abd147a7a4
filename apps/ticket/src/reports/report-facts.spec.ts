import { subjects, type MinutesSummary, type Principal, type ReportExportPage, type ReportOverview, type ReportTicketRow, type SlaOutcome, type TicketView } from '@helpdesk/contracts';
import { seededRandom } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { DEFAULT_BUSINESS_HOURS } from '../sla/business-calendar.js';
import { ReportFacts } from './report-facts.js';

interface FactsRow {
  report_facts_calendar: string | null;
  report_first_response_calendar_tenths: number | null;
  report_first_response_business_tenths: number | null;
  report_resolution_calendar_tenths: number | null;
  report_resolution_business_tenths: number | null;
  report_next_response_window: boolean;
}

/**
 * Report facts (migration 1766950000000, ReportFacts): stale whenever an input changes, however the row
 * is written; counted again by the sweep and before a report; and an overview built from them equal to
 * the per-ticket figures of the export (the plain path, report-figures.ts) on a random data set that
 * crosses a DST change and a holiday, for every kind of caller and filter.
 */
describe('report facts', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let facts: ReportFacts;

  beforeAll(async () => {
    harness = await TicketHarness.start('report-facts');
    ({ admin } = await harness.signup('Facts Desk'));
    facts = harness.service.app.get(ReportFacts);
    // Berlin changes to winter time on 25 October 2026; 26 October is made a holiday.
    await harness.dataSource.query(`UPDATE helpdesk.organizations SET timezone = 'Europe/Berlin', holidays = '["2026-10-26"]' WHERE id = $1`, [admin.orgId]);
  });

  afterAll(() => harness?.stop());

  const factsOf = async (ticketId: string) =>
    ((await harness.dataSource.query<FactsRow[]>(
      `SELECT report_facts_calendar, report_first_response_calendar_tenths, report_first_response_business_tenths, report_resolution_calendar_tenths, report_resolution_business_tenths, report_next_response_window
       FROM helpdesk.tickets WHERE id = $1`,
      [ticketId],
    ))[0]!);
  const sql = (statement: string, parameters: unknown[]) => harness.dataSource.query(statement, parameters);

  it('marks a ticket stale when an input changes, by a command or by SQL, and the sweep counts it again', async () => {
    // A new ticket has no minutes under any calendar: its facts need no counting (calendar 0).
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Printer', description: 'x' });
    expect(await factsOf(ticket.id)).toMatchObject({ report_facts_calendar: '0', report_first_response_calendar_tenths: null, report_resolution_calendar_tenths: null, report_next_response_window: false });

    // Monday 2 November 2026, 08:00 Berlin (07:00 UTC): answered at 10:30, so 150 calendar and 90 business minutes.
    await sql(`UPDATE helpdesk.tickets SET sla_policy_id = NULL, created_at = '2026-11-02T07:00:00Z', first_responded_at = '2026-11-02T09:30:00Z' WHERE id = $1`, [ticket.id]);
    expect((await factsOf(ticket.id)).report_facts_calendar).toBeNull();
    await facts.sweep();
    expect(await factsOf(ticket.id)).toMatchObject({ report_first_response_calendar_tenths: 1500, report_first_response_business_tenths: 900 });

    // Solved on Wednesday 12:00 Berlin with 30 minutes paused: the pause counts only with a policy.
    await sql(`UPDATE helpdesk.tickets SET resolved_at = '2026-11-04T11:00:00Z', sla_paused_minutes = 30 WHERE id = $1`, [ticket.id]);
    await facts.sweep();
    expect(await factsOf(ticket.id)).toMatchObject({ report_resolution_calendar_tenths: 52 * 600, report_resolution_business_tenths: (8 + 8 + 3) * 600 });
    const [policy] = await sql(`INSERT INTO helpdesk.sla_policies (organization_id, name, priority, first_response_minutes, resolution_minutes, business_hours_only, active) VALUES ($1, 'P', 'low', 60, 600, true, false) RETURNING id`, [admin.orgId]);
    await sql(`UPDATE helpdesk.tickets SET sla_policy_id = $2 WHERE id = $1`, [ticket.id, policy.id]);
    await facts.sweep();
    expect(await factsOf(ticket.id)).toMatchObject({ report_resolution_calendar_tenths: 52 * 600 - 300, report_resolution_business_tenths: 19 * 600 - 300 });

    // A column that is not an input leaves the facts alone.
    const counted = (await factsOf(ticket.id)).report_facts_calendar;
    await sql(`UPDATE helpdesk.tickets SET subject = 'Printer, again', priority = 'high' WHERE id = $1`, [ticket.id]);
    expect((await factsOf(ticket.id)).report_facts_calendar).toBe(counted);
  });

  it("opens the next-response window with the requester's first public comment after the first response, not with a note or staff's", async () => {
    const customer = await harness.addUser(admin.orgId, 'customer');
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'VPN', description: 'x' });
    await harness.send(subjects.comments.create, { principal: admin, ticketId: ticket.id, body: 'Which client?' });
    await facts.sweep();
    expect(await factsOf(ticket.id)).toMatchObject({ report_next_response_window: false });

    await harness.send(subjects.comments.create, { principal: admin, ticketId: ticket.id, body: 'Checking', internal: true });
    expect((await factsOf(ticket.id)).report_facts_calendar).not.toBeNull();
    await harness.send(subjects.comments.create, { principal: customer, ticketId: ticket.id, body: 'The new one' });
    expect((await factsOf(ticket.id)).report_facts_calendar).toBeNull();
    await facts.sweep();
    expect(await factsOf(ticket.id)).toMatchObject({ report_next_response_window: true });
  });

  it("counts business minutes again when the organization's calendar changes, before the report reads them", async () => {
    const { admin: owner } = await harness.signup('Calendar Desk');
    await sql(`UPDATE helpdesk.organizations SET timezone = 'UTC' WHERE id = $1`, [owner.orgId]);
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: owner, subject: 'Hours', description: 'x' });
    const [policy] = await sql(`INSERT INTO helpdesk.sla_policies (organization_id, name, priority, first_response_minutes, resolution_minutes, business_hours_only, active) VALUES ($1, 'B', 'low', 60, 600, true, false) RETURNING id`, [owner.orgId]);
    // Monday 2 November 2026, 08:00 to 12:00 UTC: 180 business minutes with 09:00 to 17:00, 60 with 11:00 to 17:00.
    await sql(`UPDATE helpdesk.tickets SET sla_policy_id = $2, created_at = '2026-11-02T08:00:00Z', first_responded_at = '2026-11-02T12:00:00Z' WHERE id = $1`, [ticket.id, policy.id]);
    const overview = () => harness.send<ReportOverview>(subjects.reports.overview, { principal: owner, from: '2026-11-02', to: '2026-11-02' });
    expect((await overview()).firstResponseMinutes).toEqual({ median: 180, p90: 180 });
    await harness.send(subjects.organizations.update, { principal: owner, changes: { businessHours: { mon: [{ start: '11:00', end: '17:00' }] } } });
    expect((await overview()).firstResponseMinutes).toEqual({ median: 60, p90: 60 });
  });

  it('counts the same stale tickets from the sweep and from reports at once without a deadlock, and leaves none', async () => {
    const { admin: owner } = await harness.signup('Busy Desk');
    const calendar = { timezone: 'UTC', businessHours: DEFAULT_BUSINESS_HOURS, holidays: [] };
    await sql(`UPDATE helpdesk.organizations SET timezone = 'UTC' WHERE id = $1`, [owner.orgId]);
    await sql(
      `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, created_at, first_responded_at, resolved_at)
       SELECT $1, n, 'Busy', 'x', 'solved', 'normal', 'web', '{}', $2, now() - n * interval '1 minute', now() - n * interval '30 seconds', now() - n * interval '10 seconds'
       FROM generate_series(1, 4000) AS n`,
      [owner.orgId, owner.userId],
    );
    const everything = `t.created_at < now()`;
    await Promise.all([facts.sweep(), facts.refresh(owner.orgId, calendar, everything, []), facts.refresh(owner.orgId, calendar, everything, []), facts.sweep()]);
    await facts.refresh(owner.orgId, calendar, everything, []);
    const [{ stale, counted }] = await sql(
      `SELECT count(*) FILTER (WHERE report_facts_calendar IS NULL)::int AS stale,
              count(*) FILTER (WHERE report_resolution_calendar_tenths = round(extract(epoch FROM resolved_at - created_at) / 6)
                                 AND report_first_response_calendar_tenths = round(extract(epoch FROM first_responded_at - created_at) / 6))::int AS counted
       FROM helpdesk.tickets WHERE organization_id = $1`,
      [owner.orgId],
    );
    expect({ stale, counted }).toEqual({ stale: 0, counted: 4000 });
  });

  it('gives the same overview from the facts as the per-ticket figures of the export, for every caller and filter', async () => {
    const { admin: owner } = await harness.signup('Random Desk');
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
    const cases: Array<{ caller: Principal; from: string; to: string; teamId?: string; agentId?: string }> = [
      { caller: owner, from: '2026-10-20', to: '2026-11-30' },
      { caller: owner, from: '2026-10-24', to: '2026-11-02' },
      { caller: owner, from: '2026-10-25T01:30:00+02:00', to: '2026-11-10T15:45:00Z' },
      { caller: owner, from: '2026-10-20', to: '2026-11-30', teamId: teams[1]!.id },
      { caller: owner, from: '2026-10-20', to: '2026-11-30', agentId: agents[2]!.userId },
      { caller: agentCaller, from: '2026-10-20', to: '2026-11-30' },
      { caller: agentCaller, from: '2026-11-01', to: '2026-11-14', teamId: teams[0]!.id },
    ];
    for (const { caller, ...filters } of cases) {
      const overview = await harness.send<ReportOverview>(subjects.reports.overview, { principal: caller, ...filters });
      // The export lists tickets created in its range: a wide one lists every ticket, then the report's range is applied here.
      const rows: ReportTicketRow[] = [];
      let cursor: string | null = null;
      do {
        const page: ReportExportPage = await harness.send<ReportExportPage>(subjects.reports.exportPage, { principal: caller, from: '2026-06-01', to: '2027-05-31', teamId: filters.teamId, agentId: filters.agentId, cursor: cursor ?? undefined });
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
  });
});

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
