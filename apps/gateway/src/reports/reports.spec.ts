import type { ReportOverview } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/**
 * GET /reports/overview and /reports/export.csv through the real gateway and ticket service on
 * PostgreSQL and NATS (DESIGN section 15, docs/reports.md), on a data set written straight into the
 * database with fixed times, so every expected figure below is worked out by hand in the comments.
 *
 * Organization A: Europe/Berlin, Monday to Friday 09:00-17:00, holiday Monday 2026-10-26. DST ends on
 * Sunday 2026-10-25 at 01:00Z (03:00 CEST -> 02:00 CET): Berlin is UTC+2 before, UTC+1 after.
 * Range: from=2026-10-19, to=2026-11-01 (Berlin days) = [2026-10-18T22:00Z, 2026-11-01T23:00Z), weekly.
 * Policies: "business" (business hours only; first response 120, next response 240, resolution 960)
 * and "calendar" (plain time; first response 60, no next response, resolution 480).
 *
 * T1 #1 business, normal, team Alpha, agent One. Created Fri 23 Oct 16:00 Berlin (14:00Z); first reply
 *    Tue 27 Oct 10:00 Berlin (09:00Z): Fri 16-17 = 60 + weekend 0 (the DST change) + holiday 0 + Tue 9-10 = 60
 *    -> 120 business minutes (calendar would be 5460), exactly at its due time: met. The requester wrote
 *    again Tue 10:30Z and was answered, no breach: next response met. Solved Tue 27 15:30 Berlin (14:30Z):
 *    60 + 390 = 450 business minutes; due Wed 28 16:00 Berlin: resolution met. Rated good on 28 Oct.
 * T2 #2 business, normal, team Alpha, agent One. Created Mon 19 Oct 09:00 Berlin (07:00Z); first reply
 *    10:30 Berlin (08:30Z) = 90, met. Pending Mon 12:00 to Tue 10:00 Berlin = 300 + 60 = 360 paused business
 *    minutes. Solved Tue 20 (10:00Z), reopened Wed 21 09:30 Berlin (07:30Z), solved again Wed 21 11:00 Berlin
 *    (09:00Z): Mon 480 + Tue 480 + Wed 120 = 1080 - 360 paused = 720 resolution minutes; due = 960 + 360 =
 *    1320 business minutes after creation = Wed 15:00 Berlin: met. No requester reply after the first
 *    response: no next-response figure. Rated bad on 21 Oct.
 * T3 #3 calendar, urgent, team Beta, agent Two. Created Sat 24 Oct 23:00Z (01:00 CEST Sunday); first reply
 *    Sun 25 Oct 01:30Z (02:30 CET) = 150 calendar minutes (0 in business time), breached (marked at 00:00Z).
 *    Still open; resolution due 07:00Z on 25 Oct, never marked by the timer: counted breached (open past target).
 * T4 #4 business, normal, team Alpha, agent Three (in no team). Created Thu 29 Oct 10:00 Berlin (09:00Z);
 *    first reply 09:45Z = 45, met. The requester wrote at 11:00Z; the next response was breached at 15:00Z.
 *    Pending since 13:00Z: its resolution clock is paused, so resolution is not decided (counted neither way).
 * T5 #5 business, normal, team Beta, agent One. Created before the range (Fri 16 Oct 10:00 Berlin), solved
 *    Mon 19 Oct 10:00 Berlin (08:00Z): 420 + 60 = 480 resolution minutes. Counts as solved, not as created.
 *    Rated good on 17 Oct (outside the range).
 * T6 #6 no policy, low, team Beta, unassigned. Created Fri 30 Oct 10:00Z, open: no SLA figures.
 * T7 #7 no policy, high, no team, unassigned. Created 1 Oct, on hold since 2 Oct, unchanged in the range:
 *    in the backlog at every point and in no other figure (created before the range, nothing in it).
 *
 * Overview for an admin of A:
 *   created 5 (T1 T2 T3 T4 T6); solved 3 (T1 T2 T5); reopened 1 (T2).
 *   first response minutes of replies in range: 45 90 120 150 -> median (90+120)/2 = 105, p90 rank ceil(3.6) = 4 -> 150.
 *   resolution minutes of solves in range: 450 480 720 -> median 480, p90 rank ceil(2.7) = 3 -> 720.
 *   SLA of tickets created in range: first response met T1 T2 T4, breached T3 -> 3/1/75;
 *   next response met T1, breached T4 -> 1/1/50; resolution met T1 T2, breached T3 (T4 paused) -> 2/1/66.7.
 *   backlog at end of week 1 (2026-10-25T23:00Z): T1 new (normal), T3 open (urgent), T7 on hold (high); T2 and T5 solved.
 *   backlog at 2026-11-01T23:00Z: T3 open (urgent), T4 pending (normal), T6 open (low), T7 on hold (high); T1 solved.
 *   csat: T1 good, T2 bad (T5's rating is before the range; B's is another organization's) -> 1/1/50.
 */
describe('reports', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let other: SignedUpAdmin;
  let one: TestCaller;
  let two: TestCaller;
  let three: TestCaller;
  let customer: TestCaller;
  let alpha: string;
  let beta: string;
  const ids: Record<string, string> = {};

  const RANGE = 'from=2026-10-19&to=2026-11-01&interval=week';
  const query = (sql: string, values: unknown[] = []) => gateway.ticket.dataSource.query(sql, values);

  async function json<T>(response: Response, status = 200): Promise<T> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return JSON.parse(text) as T;
  }
  const overview = (token: string, params = RANGE) => gateway.call(`/reports/overview?${params}`, { token });

  async function insertTicket(orgId: string, requesterId: string, ticket: Record<string, unknown>): Promise<string> {
    const columns = Object.keys(ticket);
    const [row] = await query(
      `INSERT INTO helpdesk.tickets (organization_id, requester_id, description, ${columns.join(', ')}) VALUES ($1, $2, 'd', ${columns.map((_, index) => `$${index + 3}`).join(', ')}) RETURNING id`,
      [orgId, requesterId, ...Object.values(ticket)],
    );
    return row.id as string;
  }
  async function statusChange(orgId: string, ticketId: string, at: string, from: string | null, to: string, priority?: string): Promise<void> {
    const changes: Record<string, unknown> = { status: { from, to } };
    if (priority) changes.priority = { from: null, to: priority };
    await query(`INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, action, changes, created_at) VALUES ($1, $2, $3, $4, $5)`, [orgId, ticketId, from === null ? 'created' : 'updated', JSON.stringify(changes), at]);
  }
  async function comment(orgId: string, ticketId: string, authorId: string, at: string): Promise<void> {
    await query(`INSERT INTO helpdesk.comments (organization_id, ticket_id, author_id, body, created_at) VALUES ($1, $2, $3, 'x', $4)`, [orgId, ticketId, authorId, at]);
  }
  async function rate(orgId: string, ticketId: string, rating: 'good' | 'bad', at: string): Promise<void> {
    await query(`UPDATE helpdesk.tickets SET satisfaction_rating = $3, satisfaction_rated_at = $4, satisfaction_updated_at = $4 WHERE organization_id = $1 AND id = $2`, [orgId, ticketId, rating, at]);
  }

  beforeAll(async () => {
    gateway = await GatewayHarness.start('reports');
    admin = await gateway.signup('Report Desk');
    other = await gateway.signup('Other Report Desk');
    one = await gateway.addUser(admin.organization.id, 'agent');
    two = await gateway.addUser(admin.organization.id, 'agent');
    three = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    const org = admin.organization.id;
    await query(`UPDATE helpdesk.users SET name = $2 WHERE id = $1`, [one.principal.userId, 'Agent One']);
    await query(`UPDATE helpdesk.users SET name = $2 WHERE id = $1`, [two.principal.userId, 'Agent Two']);
    await query(`UPDATE helpdesk.users SET name = $2 WHERE id = $1`, [three.principal.userId, 'Agent Three']);
    await query(
      `UPDATE helpdesk.organizations SET timezone = 'Europe/Berlin', holidays = '["2026-10-26"]',
         business_hours = '{"mon":[{"start":"09:00","end":"17:00"}],"tue":[{"start":"09:00","end":"17:00"}],"wed":[{"start":"09:00","end":"17:00"}],"thu":[{"start":"09:00","end":"17:00"}],"fri":[{"start":"09:00","end":"17:00"}]}'
       WHERE id = $1`,
      [org],
    );
    [{ id: alpha }] = await query(`INSERT INTO helpdesk.teams (organization_id, name) VALUES ($1, 'Alpha') RETURNING id`, [org]);
    [{ id: beta }] = await query(`INSERT INTO helpdesk.teams (organization_id, name) VALUES ($1, 'Beta') RETURNING id`, [org]);
    await query(`INSERT INTO helpdesk.team_members (team_id, user_id) VALUES ($1, $2)`, [alpha, one.principal.userId]);
    await query(`INSERT INTO helpdesk.team_members (team_id, user_id) VALUES ($1, $2)`, [beta, two.principal.userId]);
    const [{ id: business }] = await query(
      `INSERT INTO helpdesk.sla_policies (organization_id, name, priority, first_response_minutes, next_response_minutes, resolution_minutes, business_hours_only, active)
       VALUES ($1, 'business', 'normal', 120, 240, 960, true, false) RETURNING id`,
      [org],
    );
    const [{ id: calendar }] = await query(
      `INSERT INTO helpdesk.sla_policies (organization_id, name, priority, first_response_minutes, next_response_minutes, resolution_minutes, business_hours_only, active)
       VALUES ($1, 'calendar', 'urgent', 60, NULL, 480, false, false) RETURNING id`,
      [org],
    );
    const requester = customer.principal.userId;

    ids.t1 = await insertTicket(org, requester, {
      number: 1, subject: 'Ünïcode printer, "quoted"', status: 'solved', priority: 'normal', team_id: alpha, assignee_id: one.principal.userId, sla_policy_id: business,
      created_at: '2026-10-23T14:00:00Z', first_responded_at: '2026-10-27T09:00:00Z', first_response_due_at: '2026-10-27T09:00:00Z',
      resolution_due_at: '2026-10-28T15:00:00Z', resolved_at: '2026-10-27T14:30:00Z',
    });
    await statusChange(org, ids.t1, '2026-10-23T14:00:00Z', null, 'new', 'normal');
    await statusChange(org, ids.t1, '2026-10-27T09:00:00Z', 'new', 'open');
    await statusChange(org, ids.t1, '2026-10-27T14:30:00Z', 'open', 'solved');
    await comment(org, ids.t1, requester, '2026-10-27T10:30:00Z');
    await rate(org, ids.t1, 'good', '2026-10-28T10:00:00Z');

    ids.t2 = await insertTicket(org, requester, {
      number: 2, subject: 'Reopened', status: 'solved', priority: 'normal', team_id: alpha, assignee_id: one.principal.userId, sla_policy_id: business,
      created_at: '2026-10-19T07:00:00Z', first_responded_at: '2026-10-19T08:30:00Z', first_response_due_at: '2026-10-19T09:00:00Z',
      resolution_due_at: '2026-10-21T13:00:00Z', resolved_at: '2026-10-21T09:00:00Z', sla_paused_minutes: 360,
    });
    await statusChange(org, ids.t2, '2026-10-19T07:00:00Z', null, 'new', 'normal');
    await statusChange(org, ids.t2, '2026-10-19T10:00:00Z', 'new', 'pending');
    await statusChange(org, ids.t2, '2026-10-20T08:00:00Z', 'pending', 'open');
    await statusChange(org, ids.t2, '2026-10-20T10:00:00Z', 'open', 'solved');
    await statusChange(org, ids.t2, '2026-10-21T07:30:00Z', 'solved', 'open');
    await statusChange(org, ids.t2, '2026-10-21T09:00:00Z', 'open', 'solved');
    await rate(org, ids.t2, 'bad', '2026-10-21T12:00:00Z');

    ids.t3 = await insertTicket(org, requester, {
      number: 3, subject: '@SUM(A1)', status: 'open', priority: 'urgent', team_id: beta, assignee_id: two.principal.userId, sla_policy_id: calendar,
      created_at: '2026-10-24T23:00:00Z', first_responded_at: '2026-10-25T01:30:00Z', first_response_due_at: '2026-10-25T00:00:00Z',
      first_response_breached_at: '2026-10-25T00:00:00Z', resolution_due_at: '2026-10-25T07:00:00Z',
    });
    await statusChange(org, ids.t3, '2026-10-24T23:00:00Z', null, 'new', 'urgent');
    await statusChange(org, ids.t3, '2026-10-25T01:30:00Z', 'new', 'open');

    ids.t4 = await insertTicket(org, requester, {
      number: 4, subject: '-2+3', status: 'pending', priority: 'normal', team_id: alpha, assignee_id: three.principal.userId, sla_policy_id: business,
      created_at: '2026-10-29T09:00:00Z', first_responded_at: '2026-10-29T09:45:00Z', first_response_due_at: '2026-10-29T11:00:00Z',
      next_response_due_at: '2026-10-29T15:00:00Z', next_response_breached_at: '2026-10-29T15:00:00Z',
      resolution_due_at: '2026-11-02T09:00:00Z', sla_paused_at: '2026-10-29T13:00:00Z',
    });
    await statusChange(org, ids.t4, '2026-10-29T09:00:00Z', null, 'new', 'normal');
    await statusChange(org, ids.t4, '2026-10-29T09:45:00Z', 'new', 'open');
    await statusChange(org, ids.t4, '2026-10-29T13:00:00Z', 'open', 'pending');
    await comment(org, ids.t4, requester, '2026-10-29T11:00:00Z');

    ids.t5 = await insertTicket(org, requester, {
      number: 5, subject: 'Before the range', status: 'solved', priority: 'normal', team_id: beta, assignee_id: one.principal.userId, sla_policy_id: business,
      created_at: '2026-10-16T08:00:00Z', first_responded_at: '2026-10-16T09:00:00Z', first_response_due_at: '2026-10-16T10:00:00Z',
      resolution_due_at: '2026-10-19T15:00:00Z', resolved_at: '2026-10-19T08:00:00Z',
    });
    await statusChange(org, ids.t5, '2026-10-16T08:00:00Z', null, 'new', 'normal');
    await statusChange(org, ids.t5, '2026-10-19T08:00:00Z', 'new', 'solved');
    await rate(org, ids.t5, 'good', '2026-10-17T10:00:00Z');

    ids.t6 = await insertTicket(org, requester, { number: 6, subject: '=HYPERLINK("http://evil.example")', status: 'open', priority: 'low', team_id: beta, created_at: '2026-10-30T10:00:00Z' });
    await statusChange(org, ids.t6, '2026-10-30T10:00:00Z', null, 'open', 'low');

    ids.t7 = await insertTicket(org, requester, { number: 7, subject: 'Waiting on a part', status: 'on_hold', priority: 'high', created_at: '2026-10-01T10:00:00Z' });
    await statusChange(org, ids.t7, '2026-10-01T10:00:00Z', null, 'new', 'high');
    await statusChange(org, ids.t7, '2026-10-02T10:00:00Z', 'new', 'on_hold');

    const otherCustomer = await gateway.addUser(other.organization.id, 'customer');
    ids.b1 = await insertTicket(other.organization.id, otherCustomer.principal.userId, { number: 1, subject: 'Other desk', status: 'open', created_at: '2026-10-20T10:00:00Z' });
    await statusChange(other.organization.id, ids.b1, '2026-10-20T10:00:00Z', null, 'open', 'normal');
    await rate(other.organization.id, ids.b1, 'good', '2026-10-22T10:00:00Z');
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('gives an admin the figures of the hand-computed data set', async () => {
    const report = await json<ReportOverview>(await overview(admin.accessToken));
    expect(report).toMatchObject({
      from: '2026-10-18T22:00:00.000Z',
      to: '2026-11-01T23:00:00.000Z',
      interval: 'week',
      created: 5,
      solved: 3,
      reopened: 1,
      firstResponseMinutes: { median: 105, p90: 150 },
      resolutionMinutes: { median: 480, p90: 720 },
      sla: {
        firstResponse: { met: 3, breached: 1, percent: 75 },
        nextResponse: { met: 1, breached: 1, percent: 50 },
        resolution: { met: 2, breached: 1, percent: 66.7 },
      },
      csat: { good: 1, bad: 1, score: 50 },
    });
    expect(report.backlog).toEqual([
      { at: '2026-10-25T23:00:00.000Z', byStatus: { new: 1, open: 1, on_hold: 1 }, byPriority: { normal: 1, urgent: 1, high: 1 } },
      { at: '2026-11-01T23:00:00.000Z', byStatus: { open: 2, pending: 1, on_hold: 1 }, byPriority: { urgent: 1, normal: 1, low: 1, high: 1 } },
    ]);
    // Agent One: T1 T2 created, T1 T2 T5 solved; first responses 120 and 90; resolutions 450 720 480.
    // Agent Two: T3 only. Agent Three: T4 only (45 minutes, next response breached).
    expect(report.agents).toEqual([
      {
        userId: one.principal.userId, name: 'Agent One', created: 2, solved: 3,
        firstResponseMinutes: { median: 105, p90: 120 }, resolutionMinutes: { median: 480, p90: 720 },
        sla: { firstResponse: { met: 2, breached: 0, percent: 100 }, nextResponse: { met: 1, breached: 0, percent: 100 }, resolution: { met: 2, breached: 0, percent: 100 } },
      },
      {
        userId: three.principal.userId, name: 'Agent Three', created: 1, solved: 0,
        firstResponseMinutes: { median: 45, p90: 45 }, resolutionMinutes: { median: null, p90: null },
        sla: { firstResponse: { met: 1, breached: 0, percent: 100 }, nextResponse: { met: 0, breached: 1, percent: 0 }, resolution: { met: 0, breached: 0, percent: null } },
      },
      {
        userId: two.principal.userId, name: 'Agent Two', created: 1, solved: 0,
        firstResponseMinutes: { median: 150, p90: 150 }, resolutionMinutes: { median: null, p90: null },
        sla: { firstResponse: { met: 0, breached: 1, percent: 0 }, nextResponse: { met: 0, breached: 0, percent: null }, resolution: { met: 0, breached: 1, percent: 0 } },
      },
    ]);
    // Alpha: T1 T2 T4 (first responses 45 90 120 -> median 90, p90 rank 3 = 120). Beta: T3 T6 created, T5 solved.
    expect(report.teams.map((team) => [team.name, team.created, team.solved, team.firstResponseMinutes, team.resolutionMinutes])).toEqual([
      ['Alpha', 3, 2, { median: 90, p90: 120 }, { median: 585, p90: 720 }],
      ['Beta', 2, 1, { median: 150, p90: 150 }, { median: 480, p90: 480 }],
    ]);
  });

  it("shows an agent only their teams' and their own tickets, and refuses another team's report", async () => {
    // One sees Alpha (T1 T2 T4) and T5 (assigned, team Beta): created T1 T2 T4, solved T1 T2 T5, replies 45 90 120.
    const report = await json<ReportOverview>(await overview(one.accessToken));
    expect(report).toMatchObject({ created: 3, solved: 3, reopened: 1, firstResponseMinutes: { median: 90, p90: 120 }, csat: { good: 1, bad: 1, score: 50 } });
    expect(report.sla.firstResponse).toEqual({ met: 3, breached: 0, percent: 100 });
    expect(report.backlog.at(-1)).toEqual({ at: '2026-11-01T23:00:00.000Z', byStatus: { pending: 1 }, byPriority: { normal: 1 } });
    // Three is in no team: T4 alone, no ratings.
    expect(await json<ReportOverview>(await overview(three.accessToken))).toMatchObject({ created: 1, solved: 0, reopened: 0, csat: { good: 0, bad: 0, score: null } });
    const refused = await overview(one.accessToken, `${RANGE}&teamId=${beta}`);
    expect(refused.status).toBe(403);
    expect(await json<ReportOverview>(await overview(one.accessToken, `${RANGE}&teamId=${alpha}`))).toMatchObject({ created: 3, solved: 2 });
    expect(await json<ReportOverview>(await overview(admin.accessToken, `${RANGE}&agentId=${two.principal.userId}`))).toMatchObject({ created: 1, solved: 0, agents: [{ name: 'Agent Two' }] });
    expect((await overview(customer.accessToken)).status).toBe(403);
  });

  it("keeps organizations apart: the other desk sees only its own ticket and rating, and not A's teams", async () => {
    const report = await json<ReportOverview>(await overview(other.accessToken));
    expect(report).toMatchObject({ created: 1, solved: 0, reopened: 0, csat: { good: 1, bad: 0, score: 100 }, agents: [], teams: [] });
    const refused = await json<{ message: string }>(await overview(other.accessToken, `${RANGE}&teamId=${alpha}`), 400);
    expect(refused.message).toContain('teamId is not a team of this organization');
  });

  it('refuses bad filters with a 400 naming the problem', async () => {
    const cases: Array<[string, string]> = [
      ['from=2026-11-02&to=2026-11-01', 'from must be before to'],
      ['from=2025-01-01&to=2026-11-01', 'at most 366 days'],
      ['from=yesterday&to=2026-11-01', 'from must be an ISO 8601 date'],
      ['to=2026-11-01', 'from must be an ISO 8601 date'],
      [`${RANGE}&teamId=nope`, 'teamId must be a team id'],
      [`${RANGE}&agentId=${customer.principal.userId}`, 'agentId is not an agent or admin of this organization'],
      ['from=2026-10-19&to=2026-11-01&interval=month', 'interval must be one of day, week'],
    ];
    for (const [params, problem] of cases) {
      const response = await overview(admin.accessToken, params);
      const text = await response.text();
      expect(response.status, params).toBe(400);
      expect(text, params).toContain(problem);
    }
  });

  it('exports one row per ticket created in the range, with a BOM, formula-safe, agreeing with the overview', async () => {
    const response = await gateway.call(`/reports/export.csv?${RANGE}`, { token: admin.accessToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="tickets-2026-10-18-to-2026-11-01.csv"; filename*=UTF-8''tickets-2026-10-18-to-2026-11-01.csv`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).replace(/^\uFEFF/, '').trimEnd().split('\n');
    expect(lines[0]).toBe('id,number,subject,status,priority,team,assignee,created_at,first_responded_at,solved_at,first_response_minutes,resolution_minutes,sla_first_response,sla_next_response,sla_resolution,csat');
    expect(lines.slice(1)).toEqual([
      `${ids.t1},1,"Ünïcode printer, ""quoted""",solved,normal,Alpha,Agent One,2026-10-23T14:00:00.000Z,2026-10-27T09:00:00.000Z,2026-10-27T14:30:00.000Z,120,450,met,met,met,good`,
      `${ids.t2},2,Reopened,solved,normal,Alpha,Agent One,2026-10-19T07:00:00.000Z,2026-10-19T08:30:00.000Z,2026-10-21T09:00:00.000Z,90,720,met,,met,bad`,
      `${ids.t3},3,'@SUM(A1),open,urgent,Beta,Agent Two,2026-10-24T23:00:00.000Z,2026-10-25T01:30:00.000Z,,150,,breached,,breached,`,
      `${ids.t4},4,'-2+3,pending,normal,Alpha,Agent Three,2026-10-29T09:00:00.000Z,2026-10-29T09:45:00.000Z,,45,,met,breached,,`,
      `${ids.t6},6,"'=HYPERLINK(""http://evil.example"")",open,low,Beta,,2026-10-30T10:00:00.000Z,,,,,,,,`,
    ]);
    const agent = await gateway.call(`/reports/export.csv?${RANGE}`, { token: three.accessToken });
    expect((await agent.text()).trimEnd().split('\n')).toHaveLength(2);
    expect((await gateway.call('/reports/export.csv?from=2026-11-02&to=2026-11-01', { token: admin.accessToken })).status).toBe(400);
  });

  it('streams a few thousand rows page by page', async () => {
    const desk = await gateway.signup('Busy Report Desk');
    const requester = await gateway.addUser(desk.organization.id, 'customer');
    await query(
      `INSERT INTO helpdesk.tickets (organization_id, requester_id, number, subject, description, status, created_at)
       SELECT $1, $2, n, 'Bulk ' || n, 'd', 'open', timestamptz '2026-10-20T00:00:00Z' + n * interval '1 minute' FROM generate_series(1, 3000) AS n`,
      [desk.organization.id, requester.principal.userId],
    );
    const response = await gateway.call('/reports/export.csv?from=2026-10-19&to=2026-10-25', { token: desk.accessToken });
    expect(response.status).toBe(200);
    // Streamed: no length known up front, sent in chunks.
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const reader = response.body!.getReader();
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      chunks += 1;
      text += decoder.decode(read.value, { stream: true });
    }
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3001);
    expect(lines[1]).toContain(',1,Bulk 1,open,');
    expect(lines[3000]).toContain(',3000,Bulk 3000,open,');
    expect(chunks).toBeGreaterThan(1);
  });
});
