import { subjects, type Principal, type ReportOverview, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOverviewsMatchExport, seedRandomDesk } from '../testing/report-desk.js';
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

    // The reply lands on a ticket already stale, after a sweep read it and before it writes: the reply
    // still touches the row (a new xmin), so that sweep's write, which requires the row it read, skips it.
    const other = await harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Mail', description: 'x' });
    await harness.send(subjects.comments.create, { principal: admin, ticketId: other.id, body: 'Which client?' });
    const [{ xmin: readByTheSweep }] = await sql(`SELECT xmin::text FROM helpdesk.tickets WHERE id = $1 AND report_facts_calendar IS NULL`, [other.id]);
    // Inserted as such (a command would also update the ticket itself, changing its xmin anyway).
    await sql(`INSERT INTO helpdesk.comments (organization_id, ticket_id, author_id, body) VALUES ($1, $2, $3, 'Outlook')`, [admin.orgId, other.id, customer.userId]);
    const [{ xmin: afterTheReply }] = await sql(`SELECT xmin::text FROM helpdesk.tickets WHERE id = $1 AND report_facts_calendar IS NULL`, [other.id]);
    expect(afterTheReply).not.toBe(readByTheSweep);
    await facts.sweep();
    expect(await factsOf(other.id)).toMatchObject({ report_next_response_window: true });
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
    const desk = await seedRandomDesk(harness, 'Random Desk');
    await expectOverviewsMatchExport(harness, desk.cases);
  });
});
