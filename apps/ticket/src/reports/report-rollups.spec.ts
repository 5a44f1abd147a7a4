import { subjects, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOverviewsMatchExport, seedRandomDesk } from '../testing/report-desk.js';
import { TicketHarness } from '../testing/ticket-harness.js';
import { ReportFacts } from './report-facts.js';
import { ROLLUP_DAYS, ReportRollups } from './report-rollups.js';

/** The data set's UTC days, 20 October to 29 November 2026: every one of them holds tickets. */
const DATA_SET_DAYS = 41;

/**
 * Daily report rollups (migration 1766960000000, ReportRollups): a report reads the whole days of its
 * range from them and gives the figures the per-ticket export gives, at any instant, and through
 * changes to the tickets of counted days, whether or not those days have been counted again yet.
 */
describe('report rollups', () => {
  let harness: TicketHarness;
  let facts: ReportFacts;
  let rollups: ReportRollups;

  beforeAll(async () => {
    harness = await TicketHarness.start('report-rollups');
    facts = harness.service.app.get(ReportFacts);
    rollups = harness.service.app.get(ReportRollups);
    // Counted only when a test says so, so it can look at days not yet counted again.
    await Promise.all([facts.stopSchedule(), rollups.stopSchedule()]);
  });

  afterAll(() => harness?.stop());

  const sql = (statement: string, parameters: unknown[] = []) => harness.dataSource.query(statement, parameters);
  const countedDays = async (orgId: string) =>
    ((await sql(`SELECT count(*)::int AS count FROM helpdesk.report_rollup_days WHERE organization_id = $1 AND day BETWEEN '2026-10-20' AND '2026-11-29'`, [orgId])) as Array<{ count: number }>)[0]!.count;
  const countEverything = async () => {
    await facts.sweep();
    while ((await rollups.countAll()) > 0);
  };

  it('reads whole days from their rollups and gives the figures of the export, now and after pending due times pass', async () => {
    const desk = await seedRandomDesk(harness, 'Rollup Desk');
    await countEverything();
    expect(await countedDays(desk.owner.orgId)).toBe(DATA_SET_DAYS);

    // The report reads the counted days: a rollup altered by hand shows in its figures.
    const overview = () => harness.send<{ created: number }>(subjects.reports.overview, { principal: desk.owner, from: '2026-10-20', to: '2026-11-30' });
    const { created } = await overview();
    await sql(`UPDATE helpdesk.report_rollup_cells SET created = created + 1000 WHERE organization_id = $1 AND day = '2026-11-03' AND created > 0`, [desk.owner.orgId]);
    expect((await overview()).created).toBeGreaterThan(created + 999);
    await sql(`DELETE FROM helpdesk.report_rollup_days WHERE organization_id = $1`, [desk.owner.orgId]);
    await countEverything();
    expect((await overview()).created).toBe(created);

    await expectOverviewsMatchExport(harness, desk.cases);
    // Next-response targets due in January 2027 are pending today and breached on 1 February: the rollups keep their due times.
    const [{ pending }] = await sql(`SELECT count(*)::int AS pending FROM helpdesk.tickets WHERE organization_id = $1 AND next_response_due_at > now() AND status NOT IN ('solved', 'closed')`, [
      desk.owner.orgId,
    ]);
    expect(pending, 'the data set has targets still pending').toBeGreaterThan(0);
    await expectOverviewsMatchExport(harness, desk.cases, new Date('2027-02-01T00:00:00Z'));
  });

  it('keeps the figures of the export through changes to tickets of counted days, before and after the days are counted again', async () => {
    const desk = await seedRandomDesk(harness, 'Changing Desk');
    const orgId = desk.owner.orgId;
    await countEverything();
    expect(await countedDays(orgId)).toBe(DATA_SET_DAYS);
    const ticketIds = ((await sql(`SELECT id FROM helpdesk.tickets WHERE organization_id = $1 ORDER BY number`, [orgId])) as Array<{ id: string }>).map((row) => row.id);

    // Reassigned, solved in the past, reopened, breached, answered by the requester, and a ticket imported into a counted day.
    await sql(`UPDATE helpdesk.tickets SET assignee_id = $2, team_id = $3 WHERE id = ANY($1::uuid[])`, [ticketIds.slice(0, 12), desk.agents[1]!.userId, desk.teams[0]!.id]);
    await sql(`UPDATE helpdesk.tickets SET status = 'solved', resolved_at = created_at + interval '26 hours' WHERE organization_id = $1 AND resolved_at IS NULL AND number BETWEEN 20 AND 60`, [orgId]);
    await sql(`UPDATE helpdesk.tickets SET status = 'open', resolved_at = NULL WHERE organization_id = $1 AND resolved_at IS NOT NULL AND number BETWEEN 61 AND 90`, [orgId]);
    await sql(`UPDATE helpdesk.tickets SET first_response_breached_at = first_response_due_at WHERE organization_id = $1 AND first_response_due_at IS NOT NULL AND number BETWEEN 91 AND 120`, [orgId]);
    await sql(
      `INSERT INTO helpdesk.comments (organization_id, ticket_id, author_id, body, created_at)
       SELECT $1, id, requester_id, 'Any news?', first_responded_at + interval '1 hour' FROM helpdesk.tickets WHERE organization_id = $1 AND first_responded_at IS NOT NULL AND number BETWEEN 121 AND 160`,
      [orgId],
    );
    await sql(
      `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, assignee_id, created_at, first_responded_at, resolved_at)
       VALUES ($1, 1000, 'Imported', 'x', 'solved', 'normal', 'web', '{}', $2, $3, '2026-11-05T09:00:00Z', '2026-11-05T10:00:00Z', '2026-11-06T12:00:00Z')`,
      [orgId, desk.requester.userId, desk.agents[0]!.userId],
    );
    // And a ticket moved out of every range: a report's own recount of its range does not reach it.
    await sql(`UPDATE helpdesk.tickets SET created_at = created_at - interval '120 days', first_responded_at = NULL, resolved_at = NULL, status = 'open' WHERE organization_id = $1 AND number = 161`, [orgId]);
    // Not yet counted again: the days holding changed tickets are read from the tickets.
    await expectOverviewsMatchExport(harness, desk.cases);
    // The facts sweep counts again the days still held; days a stale ticket kept out meanwhile come back with the next run.
    await facts.sweep();
    await expectOverviewsMatchExport(harness, desk.cases);
    await countEverything();
    expect(await countedDays(orgId)).toBe(DATA_SET_DAYS);
    await expectOverviewsMatchExport(harness, desk.cases);

    // A deleted ticket's days and, after a policy change, all days are dropped, then counted anew.
    const left = await harness.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM helpdesk.tickets WHERE id = $1`, [ticketIds[5]]);
      const counted = `SELECT count(*)::int AS count FROM helpdesk.report_rollup_days WHERE organization_id = $1 AND day BETWEEN '2026-10-20' AND '2026-11-29'`;
      const [afterDelete] = await manager.query(counted, [orgId]);
      await manager.query(`UPDATE helpdesk.sla_policies SET business_hours_only = NOT business_hours_only WHERE organization_id = $1 AND name = 'Calendar'`, [orgId]);
      const [afterPolicy] = await manager.query(counted, [orgId]);
      return [afterDelete.count, afterPolicy.count];
    });
    expect(left[0]).toBeLessThan(DATA_SET_DAYS);
    expect(left[1]).toBe(0);
    await expectOverviewsMatchExport(harness, desk.cases);
    await countEverything();
    expect(await countedDays(orgId)).toBe(DATA_SET_DAYS);
    await expectOverviewsMatchExport(harness, desk.cases);
  });

  it("leaves today's tickets out of the rollups' upkeep until a change reaches an earlier day", async () => {
    const { admin } = await harness.signup('Today Desk');
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Printer', description: 'x' });
    const state = async () =>
      ((await sql(`SELECT report_facts_calendar AS facts, report_rolled_days::text[] AS rolled FROM helpdesk.tickets WHERE id = $1`, [ticket.id])) as Array<{ facts: string | null; rolled: string[] | null }>)[0]!;
    await sql(`UPDATE helpdesk.tickets SET status = 'open', priority = 'high', assignee_id = $2 WHERE id = $1`, [ticket.id, admin.userId]);
    expect(await state()).toEqual({ facts: '0', rolled: null });
    const [{ today }] = await sql(`SELECT (now() AT TIME ZONE 'UTC')::date::text AS today`);
    await sql(`UPDATE helpdesk.tickets SET created_at = created_at - interval '3 days' WHERE id = $1`, [ticket.id]);
    expect(await state()).toEqual({ facts: null, rolled: [today] });
  });

  it("counts the days before an organization's first ticket in one go", async () => {
    await countEverything();
    const { admin } = await harness.signup('New Desk');
    // A budget of one day: a new organization's whole empty window counts as one.
    await rollups.countAll(new Date(), 1);
    const [{ count }] = await sql(`SELECT count(*)::int AS count FROM helpdesk.report_rollup_days WHERE organization_id = $1`, [admin.orgId]);
    expect(count).toBe(ROLLUP_DAYS);
  });
});
