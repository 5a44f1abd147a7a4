import { subjects, type BacklogPoint, type Principal, type ReportOverview } from '@helpdesk/contracts';
import { seededRandom } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { ReportBacklog, SNAPSHOT_DAYS, type BacklogScope } from './report-backlog.js';

const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const MINUTE = 60_000;

/**
 * Backlog snapshots (migrations 1766955000000 and 1766980000000, ReportBacklog): the backlog read from
 * them equals the report's replay of the history (the plain path) on a random data set across a DST
 * change, by day and by week, for the whole desk, a team, an agent and an agent's own scope, with
 * tickets moving between teams and assignees; a backdated write drops the snapshots after it, and
 * they are counted again to the new figures.
 */
describe('report backlog snapshots', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let teams: string[];
  let snapshots: ReportBacklog;

  beforeAll(async () => {
    harness = await TicketHarness.start('report-backlog');
    snapshots = harness.service.app.get(ReportBacklog);
    // The test writes the snapshots itself, at the moments it checks.
    await snapshots.stopSchedule();
    ({ admin } = await harness.signup('Backlog Desk'));
    await harness.dataSource.query(`UPDATE helpdesk.organizations SET timezone = 'Europe/Berlin' WHERE id = $1`, [admin.orgId]);
    agent = await harness.addUser(admin.orgId, 'agent');
    teams = ((await harness.dataSource.query(`INSERT INTO helpdesk.teams (organization_id, name) SELECT $1, 'Team ' || n FROM generate_series(1, 2) n RETURNING id`, [admin.orgId])) as Array<{ id: string }>).map((row) => row.id);
    await harness.dataSource.query(`INSERT INTO helpdesk.team_members (team_id, user_id) VALUES ($1, $2)`, [teams[0], agent.userId]);
  });

  afterAll(() => harness?.stop());

  const sql = (statement: string, parameters: unknown[]) => harness.dataSource.query(statement, parameters);
  type Filters = { caller?: Principal; teamId?: string; agentId?: string };
  const plain = async (from: string, to: string, interval: 'day' | 'week', filters: Filters = {}) => {
    const overview = await harness.send<ReportOverview>(subjects.reports.overview, { principal: filters.caller ?? admin, from, to, interval, teamId: filters.teamId, agentId: filters.agentId });
    return overview.backlog;
  };
  // The scopes the report service gives these filters (its backlogScope).
  const scopeOf = (filters: Filters): BacklogScope => ({
    everything: filters.caller !== agent,
    teamIds: filters.caller === agent ? [teams[0]!] : [],
    userId: (filters.caller ?? admin).userId,
    teamId: filters.teamId ?? null,
    agentId: filters.agentId ?? null,
  });
  const fromSnapshots = (backlog: BacklogPoint[], filters: Filters = {}) => snapshots.read(admin.orgId, backlog.map((point) => new Date(point.at)), scopeOf(filters));
  const snapshotCount = async () => ((await sql(`SELECT count(*)::int AS count FROM helpdesk.report_backlog_snapshots WHERE organization_id = $1`, [admin.orgId])) as Array<{ count: number }>)[0]!.count;

  it('reads the backlog the replay of the history gives, by day and by week, and counts again after a backdated write', async () => {
    const random = seededRandom(23);
    const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
    const start = Date.parse('2026-10-01T00:00:00Z');
    const tickets: Array<{ id: string; created: number; lastChange: number }> = [];
    const owners = [null, admin.userId, agent.userId];
    const teamsOrNone = [null, ...teams];
    for (let number = 1; number <= 150; number += 1) {
      const created = start + Math.floor(random() * 55 * 24 * 60) * MINUTE;
      // A few tickets have no history at all (as a COPY can leave them): their current state stands.
      const initial = { team: pick(teamsOrNone), assignee: pick(owners) };
      type Change = { at: number; status?: string; priority?: string; team?: { from: string | null; to: string | null }; assignee?: { from: string | null; to: string | null } };
      const history: Change[] = random() < 0.1 ? [] : [{ at: created, status: 'new', priority: pick(PRIORITIES) }];
      // As the service records a creation: a team or assignee only when there is one.
      if (history[0] && initial.team) history[0].team = { from: null, to: initial.team };
      if (history[0] && initial.assignee) history[0].assignee = { from: null, to: initial.assignee };
      let team = initial.team;
      let assignee = initial.assignee;
      for (let at = created, changes = history.length === 0 ? 0 : Math.floor(random() * 5); changes > 0; changes -= 1) {
        at += Math.floor(random() * 6 * 24 * 60) * MINUTE;
        if (at > Date.now() - 3_600_000) break;
        const kind = random();
        if (kind < 0.45) history.push({ at, status: pick(STATUSES) });
        else if (kind < 0.6) history.push({ at, priority: pick(PRIORITIES) });
        else if (kind < 0.8) {
          const to = pick(teamsOrNone);
          history.push({ at, team: { from: team, to } });
          team = to;
        } else {
          const to = pick(owners);
          history.push({ at, assignee: { from: assignee, to } });
          assignee = to;
        }
      }
      const status = history.findLast((change) => change.status)?.status ?? pick(STATUSES);
      const priority = history.findLast((change) => change.priority)?.priority ?? pick(PRIORITIES);
      const [ticket] = await sql(
        `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, team_id, assignee_id, created_at)
         VALUES ($1, $2, 'Backlog', 'x', $3, $4, 'web', '{}', $5, $6, $7, $8) RETURNING id`,
        [admin.orgId, number, status, priority, admin.userId, team, assignee, new Date(created).toISOString()],
      );
      tickets.push({ id: ticket.id, created, lastChange: history.at(-1)?.at ?? Number.POSITIVE_INFINITY });
      for (const [index, change] of history.entries()) {
        const changes = {
          ...(change.status ? { status: { from: index === 0 ? null : 'x', to: change.status } } : {}),
          ...(change.priority ? { priority: { from: index === 0 ? null : 'x', to: change.priority } } : {}),
          ...(change.team ? { teamId: change.team } : {}),
          ...(change.assignee ? { assigneeId: change.assignee } : {}),
        };
        await sql(`INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, action, changes, created_at) VALUES ($1, $2, $3, $4, $5)`, [
          admin.orgId,
          ticket.id,
          index === 0 ? 'created' : 'updated',
          changes,
          new Date(change.at).toISOString(),
        ]);
      }
    }

    const ranges = [
      ['2026-10-01', '2026-11-30', 'day'],
      ['2026-10-05', '2026-12-04', 'week'],
      ['2026-10-20', '2026-10-31', 'day'],
      // Ending today: its last point is tomorrow's midnight, worked out from the newest snapshot and the changes since.
      ['2026-11-20', new Date().toISOString().slice(0, 10), 'day'],
    ] as const;
    const scopes: Array<[string, Filters]> = [
      ['a team', { teamId: teams[1] }],
      ['an agent', { agentId: agent.userId }],
      ['the other team', { teamId: teams[0] }],
      ["an agent's own", { caller: agent }],
    ];
    const expected = await Promise.all(ranges.map(([from, to, interval]) => plain(from, to, interval)));
    const expectedScoped = await Promise.all(scopes.map(([, filters]) => plain(ranges[0][0], ranges[0][1], ranges[0][2], filters)));
    // Before any snapshot the report replays the history, and the snapshots answer nothing.
    expect(await fromSnapshots(expected[0]!)).toBeNull();

    expect(await snapshots.fillAll(new Date(), 10_000)).toBeGreaterThanOrEqual(SNAPSHOT_DAYS);
    expect(await snapshotCount()).toBe(SNAPSHOT_DAYS);
    for (const [index, backlog] of expected.entries()) {
      expect(await fromSnapshots(backlog), ranges[index]!.join(' ')).toEqual(backlog);
      expect(backlog.some((point) => Object.keys(point.byStatus).length > 1), 'the data set has a backlog to count').toBe(true);
    }
    for (const [index, [name, filters]] of scopes.entries()) {
      const backlog = expectedScoped[index]!;
      expect(await fromSnapshots(backlog, filters), name).toEqual(backlog);
      // The overview now reads the snapshots too, and answers the same.
      expect(await plain(ranges[0][0], ranges[0][1], ranges[0][2], filters), name).toEqual(backlog);
      const total = (point: BacklogPoint) => Object.values(point.byStatus).reduce((sum, count) => sum + count, 0);
      expect(backlog.some((point) => total(point) > 0 && total(point) < total(expected[0]!.find((whole) => whole.at === point.at)!)), `${name}: a part of the desk`).toBe(true);
    }
    expect(await snapshots.fillAll(new Date(), 10_000)).toBe(0);

    // A change recorded with a past time (an import): the snapshots after it go, and come back right.
    const moved = tickets.find((ticket) => ticket.lastChange < Date.parse('2026-10-15T00:00:00Z'))!;
    await sql(`UPDATE helpdesk.tickets SET status = 'on_hold', priority = 'urgent' WHERE id = $1`, [moved.id]);
    await sql(`INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, action, changes, created_at) VALUES ($1, $2, 'updated', $3, '2026-10-15T12:00:00Z')`, [
      admin.orgId,
      moved.id,
      { status: { from: 'x', to: 'on_hold' }, priority: { from: 'x', to: 'urgent' } },
    ]);
    await sql(`INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, action, changes, created_at) VALUES ($1, $2, 'updated', $3, now())`, [
      admin.orgId,
      moved.id,
      { status: { from: 'on_hold', to: 'on_hold' } },
    ]);
    const kept = await snapshotCount();
    expect(kept).toBeLessThan(SNAPSHOT_DAYS);
    const after = await plain('2026-10-01', '2026-11-30', 'day');
    expect(after).not.toEqual(expected[0]);
    expect(await snapshots.fillAll(new Date(), 10_000)).toBe(SNAPSHOT_DAYS - kept);
    expect(await fromSnapshots(after)).toEqual(after);

    // A ticket created in the past, and one deleted, likewise.
    await sql(
      `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, created_at)
       VALUES ($1, 1000, 'Imported', 'x', 'open', 'low', 'web', '{}', $2, '2026-11-03T10:00:00Z')`,
      [admin.orgId, admin.userId],
    );
    await sql(`DELETE FROM helpdesk.tickets WHERE id = $1`, [tickets[1]!.id]);
    expect(await snapshotCount()).toBeLessThan(SNAPSHOT_DAYS);
    const imported = await plain('2026-10-01', '2026-11-30', 'day');
    await snapshots.fillAll(new Date(), 10_000);
    expect(await fromSnapshots(imported)).toEqual(imported);

    // Another time zone: the old midnights go, the new ones come, and the figures follow them.
    await sql(`UPDATE helpdesk.organizations SET timezone = 'America/New_York' WHERE id = $1`, [admin.orgId]);
    const newYork = await plain('2026-10-01', '2026-11-30', 'day');
    // In runs of a few days, as the schedule writes them: the empty days before the first ticket at once, then
    // the newest few, which leaves a gap in the middle that the next run still sees.
    const empty = await snapshots.fillAll(new Date(), 1);
    expect(empty).toBeGreaterThan(1);
    expect(await snapshots.fillAll(new Date(), 5)).toBe(5);
    expect(await snapshots.fillAll(new Date(), 10_000)).toBe(SNAPSHOT_DAYS - empty - 5);
    expect(await snapshotCount()).toBe(SNAPSHOT_DAYS);
    expect(await fromSnapshots(newYork)).toEqual(newYork);
    expect(await snapshots.fillAll(new Date(), 10_000)).toBe(0);
  });
  it("counts a ticket for the team and assignee it had at each moment, in the replay and in the snapshots", async () => {
    const { admin: owner } = await harness.signup('Moves Desk');
    const helper = await harness.addUser(owner.orgId, 'agent');
    const [alpha, beta] = ((await sql(`INSERT INTO helpdesk.teams (organization_id, name) VALUES ($1, 'Alpha'), ($1, 'Beta') RETURNING id`, [owner.orgId])) as Array<{ id: string }>).map((row) => row.id);
    // Opened on 2 Nov in Alpha with nobody on it, taken by the helper on 4 Nov, moved to Beta on 6 Nov (UTC, the desk's zone).
    const [ticket] = await sql(
      `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, team_id, assignee_id, created_at)
       VALUES ($1, 1, 'Moves', 'x', 'open', 'high', 'web', '{}', $2, $3, $4, '2026-11-02T09:00:00Z') RETURNING id`,
      [owner.orgId, owner.userId, beta, helper.userId],
    );
    const history = [
      ['created', { status: { from: null, to: 'open' }, priority: { from: null, to: 'high' }, teamId: { from: null, to: alpha } }, '2026-11-02T09:00:00Z'],
      ['updated', { assigneeId: { from: null, to: helper.userId } }, '2026-11-04T09:00:00Z'],
      ['updated', { teamId: { from: alpha, to: beta } }, '2026-11-06T09:00:00Z'],
    ] as const;
    for (const [action, changes, at] of history) {
      await sql(`INSERT INTO helpdesk.ticket_events (organization_id, ticket_id, action, changes, created_at) VALUES ($1, $2, $3, $4, $5)`, [owner.orgId, ticket.id, action, changes, at]);
    }
    const held = async (filters: { teamId?: string; agentId?: string }) =>
      (await harness.send<ReportOverview>(subjects.reports.overview, { principal: owner, from: '2026-11-01', to: '2026-11-07', interval: 'day', ...filters })).backlog.map(
        (point) => point.byStatus.open ?? 0,
      );
    // Day ends 2 Nov .. 7 Nov: 1 where the ticket was in that scope at that midnight.
    const expected = { alpha: [0, 1, 1, 1, 1, 0, 0], beta: [0, 0, 0, 0, 0, 1, 1], helper: [0, 0, 0, 1, 1, 1, 1] };
    const replayed = { alpha: await held({ teamId: alpha }), beta: await held({ teamId: beta }), helper: await held({ agentId: helper.userId }) };
    expect(replayed).toEqual(expected);
    await snapshots.fillAll(new Date(), 10_000);
    const points = replayed.alpha.map((_, index) => new Date(Date.parse('2026-11-02T00:00:00Z') + index * 86_400_000));
    const read = async (scope: BacklogScope) => (await snapshots.read(owner.orgId, points, scope))!.map((point) => point.byStatus.open ?? 0);
    const everything = { everything: true, teamIds: [], userId: owner.userId, teamId: null, agentId: null };
    expect(await read({ ...everything, teamId: alpha! })).toEqual(expected.alpha);
    expect(await read({ ...everything, teamId: beta! })).toEqual(expected.beta);
    expect(await read({ ...everything, agentId: helper.userId })).toEqual(expected.helper);
    // An agent of Beta alone sees the ticket from its move on, and the helper from the assignment.
    expect(await read({ everything: false, teamIds: [beta!], userId: owner.userId, teamId: null, agentId: null })).toEqual(expected.beta);
    expect(await read({ everything: false, teamIds: [beta!], userId: helper.userId, teamId: null, agentId: null })).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect({ alpha: await held({ teamId: alpha }), beta: await held({ teamId: beta }), helper: await held({ agentId: helper.userId }) }).toEqual(expected);
  });
});
