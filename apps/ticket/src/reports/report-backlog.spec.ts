import { subjects, type BacklogPoint, type Principal, type ReportOverview } from '@helpdesk/contracts';
import { seededRandom } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { ReportBacklog, SNAPSHOT_DAYS } from './report-backlog.js';

const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const MINUTE = 60_000;

/**
 * Backlog snapshots (migration 1766955000000, ReportBacklog): the backlog read from them equals the
 * report's replay of the history (the plain path) on a random data set across a DST change, by day
 * and by week; a backdated write drops the snapshots after it, and they are counted again to the
 * new figures.
 */
describe('report backlog snapshots', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let snapshots: ReportBacklog;

  beforeAll(async () => {
    harness = await TicketHarness.start('report-backlog');
    snapshots = harness.service.app.get(ReportBacklog);
    // The test writes the snapshots itself, at the moments it checks.
    await snapshots.stopSchedule();
    ({ admin } = await harness.signup('Backlog Desk'));
    await harness.dataSource.query(`UPDATE helpdesk.organizations SET timezone = 'Europe/Berlin' WHERE id = $1`, [admin.orgId]);
  });

  afterAll(() => harness?.stop());

  const sql = (statement: string, parameters: unknown[]) => harness.dataSource.query(statement, parameters);
  const plain = async (from: string, to: string, interval: 'day' | 'week') => {
    const overview = await harness.send<ReportOverview>(subjects.reports.overview, { principal: admin, from, to, interval });
    return overview.backlog;
  };
  const fromSnapshots = (backlog: BacklogPoint[]) => snapshots.read(admin.orgId, backlog.map((point) => new Date(point.at)));
  const snapshotCount = async () => ((await sql(`SELECT count(*)::int AS count FROM helpdesk.report_backlog_snapshots WHERE organization_id = $1`, [admin.orgId])) as Array<{ count: number }>)[0]!.count;

  it('reads the backlog the replay of the history gives, by day and by week, and counts again after a backdated write', async () => {
    const random = seededRandom(23);
    const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
    const start = Date.parse('2026-10-01T00:00:00Z');
    const tickets: Array<{ id: string; created: number; lastChange: number }> = [];
    for (let number = 1; number <= 150; number += 1) {
      const created = start + Math.floor(random() * 55 * 24 * 60) * MINUTE;
      // A few tickets have no history at all (as a COPY can leave them): their current state stands.
      const history = random() < 0.1 ? [] : [{ at: created, status: 'new', priority: pick(PRIORITIES) }];
      for (let at = created, changes = history.length === 0 ? 0 : Math.floor(random() * 4); changes > 0; changes -= 1) {
        at += Math.floor(random() * 6 * 24 * 60) * MINUTE;
        if (at > Date.now() - 3_600_000) break;
        history.push(random() < 0.7 ? { at, status: pick(STATUSES), priority: '' } : { at, status: '', priority: pick(PRIORITIES) });
      }
      const status = history.findLast((change) => change.status)?.status ?? pick(STATUSES);
      const priority = history.findLast((change) => change.priority)?.priority ?? pick(PRIORITIES);
      const [ticket] = await sql(
        `INSERT INTO helpdesk.tickets (organization_id, number, subject, description, status, priority, channel, tags, requester_id, created_at)
         VALUES ($1, $2, 'Backlog', 'x', $3, $4, 'web', '{}', $5, $6) RETURNING id`,
        [admin.orgId, number, status, priority, admin.userId, new Date(created).toISOString()],
      );
      tickets.push({ id: ticket.id, created, lastChange: history.at(-1)?.at ?? Number.POSITIVE_INFINITY });
      for (const [index, change] of history.entries()) {
        const changes = {
          ...(change.status ? { status: { from: index === 0 ? null : 'x', to: change.status } } : {}),
          ...(change.priority ? { priority: { from: index === 0 ? null : 'x', to: change.priority } } : {}),
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
    ] as const;
    const expected = await Promise.all(ranges.map(([from, to, interval]) => plain(from, to, interval)));
    // Before any snapshot the report replays the history, and the snapshots answer nothing.
    expect(await fromSnapshots(expected[0]!)).toBeNull();

    expect(await snapshots.fillAll(new Date(), 10_000)).toBeGreaterThanOrEqual(SNAPSHOT_DAYS);
    expect(await snapshotCount()).toBe(SNAPSHOT_DAYS);
    for (const [index, backlog] of expected.entries()) {
      expect(await fromSnapshots(backlog), ranges[index]!.join(' ')).toEqual(backlog);
      expect(backlog.some((point) => Object.keys(point.byStatus).length > 1), 'the data set has a backlog to count').toBe(true);
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
});
