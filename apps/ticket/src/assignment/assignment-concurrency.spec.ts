import { CommandClient, CommandError, type RunningService } from '@helpdesk/common';
import { subjects, type Principal, type TeamAssignment, type TeamView, type TicketView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

const TICKETS = 1_000;

/**
 * Two replicas of the ticket service on one database and one NATS queue group, and 1,000 tickets
 * created at once through both: each ticket is assigned once, nobody passes their capacity, and
 * round robin spreads evenly.
 */
describe('assignment under concurrency (2 ticket replicas)', () => {
  let harness: TicketHarness;
  let replica: RunningService;
  let admin: Principal;

  beforeAll(async () => {
    harness = await TicketHarness.start('assignment-concurrency', { LOG_LEVEL: 'warn' });
    replica = await harness.startReplica();
    ({ admin } = await harness.signup());
  }, 60_000);

  afterAll(() => harness?.stop());

  const setUp = async (assignment: TeamAssignment, agentCount: number, capacity: number | null) => {
    const agents = await Promise.all(Array.from({ length: agentCount }, () => harness.addUser(admin.orgId, 'agent')));
    if (capacity !== null) await harness.dataSource.query(`UPDATE helpdesk.users SET capacity = $2 WHERE id = ANY($1::uuid[])`, [agents.map((agent) => agent.userId), capacity]);
    await harness.reportPresence(agents);
    const team = await harness.send<TeamView>(subjects.teams.create, { principal: admin, name: `Concurrent ${assignment}`, assignment });
    await harness.send(subjects.teams.setMembers, { principal: admin, teamId: team.id, memberIds: agents.map((agent) => agent.userId) });
    return { agents, team };
  };

  /**
   * All at once, half through each replica's own client (the queue group spreads them over both
   * replicas either way). A busy replica answers UNAVAILABLE when no database connection frees up
   * in time; like any client told to "retry shortly", the test sends that one again.
   */
  const createAtOnce = async (teamId: string) => {
    const clients = [harness.service.app.get(CommandClient), replica.app.get(CommandClient)];
    let refused = 0;
    const create = async (index: number): Promise<TicketView> => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await clients[index % 2]!.request<TicketView>(subjects.tickets.create, { principal: admin, subject: `Rush ${index}`, description: 'x', teamId }, { timeoutMs: 120_000 });
        } catch (error) {
          if (!(error instanceof CommandError) || error.code !== 'UNAVAILABLE' || attempt === 5) throw error;
          refused += 1;
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    };
    const created = await Promise.all(Array.from({ length: TICKETS }, (_, index) => create(index)));
    /** `refused`: creations answered UNAVAILABLE and sent again; each may have taken a round-robin turn it did not use (docs/workflow.md). */
    return { created, refused };
  };

  const assignmentsOf = async (teamId: string) => {
    const perTicket = (await harness.dataSource.query(
      `SELECT ticket.id, ticket.assignee_id, (SELECT count(*)::int FROM helpdesk.ticket_events event WHERE event.ticket_id = ticket.id AND event.changes ? 'assignment') AS assignments
         FROM helpdesk.tickets ticket WHERE ticket.team_id = $1`,
      [teamId],
    )) as Array<{ id: string; assignee_id: string | null; assignments: number }>;
    const perAgent = new Map<string, number>();
    for (const row of perTicket) if (row.assignee_id) perAgent.set(row.assignee_id, (perAgent.get(row.assignee_id) ?? 0) + 1);
    return { perTicket, perAgent };
  };

  it('round robin: 1,000 tickets at once are each assigned once, spread within one ticket', async () => {
    const { agents, team } = await setUp('round_robin', 7, null);
    const { created, refused } = await createAtOnce(team.id);
    expect(new Set(created.map((ticket) => ticket.id)).size).toBe(TICKETS);
    const { perTicket, perAgent } = await waitFor(
      'every ticket assigned',
      async () => {
        const result = await assignmentsOf(team.id);
        return result.perTicket.every((row) => row.assignee_id) ? result : undefined;
      },
      120_000, 250,
    );
    expect(perTicket).toHaveLength(TICKETS);
    // Assigned once: exactly one assignment history row per ticket.
    expect(perTicket.filter((row) => row.assignments !== 1)).toEqual([]);
    expect([...perAgent.keys()].sort()).toEqual(agents.map((agent) => agent.userId).sort());
    const counts = [...perAgent.values()];
    // Within one ticket, plus one for each refused creation whose pick was then not used (a busy machine's CI refuses a few).
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1 + refused);
  }, 180_000);

  it('load balanced with capacity: nobody over capacity, the rest wait, and go as capacity frees', async () => {
    const capacity = 120;
    const { agents, team } = await setUp('load_balanced', 5, capacity);
    await createAtOnce(team.id);
    const full = agents.length * capacity;
    const { perTicket, perAgent } = await waitFor(
      'every agent filled',
      async () => {
        const result = await assignmentsOf(team.id);
        return result.perTicket.filter((row) => row.assignee_id).length >= full ? result : undefined;
      },
      120_000, 250,
    );
    // Give late passes of either replica the chance to overshoot, had they been able to.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await assignmentsOf(team.id);
    expect(after.perTicket.filter((row) => row.assignee_id)).toHaveLength(full);
    expect([...after.perAgent.values()]).toEqual(agents.map(() => capacity));
    expect(perTicket.filter((row) => row.assignments > 1)).toEqual([]);
    expect(perAgent.size).toBe(agents.length);
    // Solving ten tickets of one agent hands ten waiting ones to them.
    const [first] = agents;
    const theirs = after.perTicket.filter((row) => row.assignee_id === first!.userId).slice(0, 10);
    await Promise.all(theirs.map((row) => harness.send(subjects.tickets.update, { principal: admin, ticketId: row.id, changes: { status: 'solved' } })));
    await waitFor('ten more assigned', async () => ((await assignmentsOf(team.id)).perTicket.filter((row) => row.assignee_id).length === full + 10 ? true : undefined), 30_000, 250);
    const open = (await harness.dataSource.query(
      `SELECT assignee_id, count(*)::int AS open FROM helpdesk.tickets WHERE team_id = $1 AND assignee_id IS NOT NULL AND status NOT IN ('solved', 'closed') GROUP BY assignee_id`,
      [team.id],
    )) as Array<{ assignee_id: string; open: number }>;
    expect(open.map((row) => row.open)).toEqual(agents.map(() => capacity));
  }, 180_000);
});
