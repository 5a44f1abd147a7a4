import { subjects, type MeReply, type Principal, type TeamAssignment, type TeamView, type TicketView, type UserView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';
import { AssignmentService } from './assignment.service.js';

/** Automatic assignment on real PostgreSQL and NATS (docs/workflow.md "Assignment"). */
describe('team assignment', () => {
  let harness: TicketHarness;
  let admin: Principal;

  beforeAll(async () => {
    harness = await TicketHarness.start('assignment');
    ({ admin } = await harness.signup());
  });

  afterAll(() => harness?.stop());

  const team = async (assignment: TeamAssignment, members: Principal[], name = `Team ${Math.random().toString(36).slice(2, 8)}`) => {
    const created = await harness.send<TeamView>(subjects.teams.create, { principal: admin, name, assignment });
    expect(created.assignment).toBe(assignment);
    await harness.send<TeamView>(subjects.teams.setMembers, { principal: admin, teamId: created.id, memberIds: members.map((member) => member.userId) });
    return created;
  };
  const agents = (count: number, org: Principal = admin) => Promise.all(Array.from({ length: count }, () => harness.addUser(org.orgId, 'agent')));
  const open = (teamId: string, subject = 'Help', principal: Principal = admin) => harness.send<TicketView>(subjects.tickets.create, { principal, subject, description: 'x', teamId });
  const ticket = (id: string) => harness.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: id });
  const assigneeOf = async (id: string) => (await ticket(id)).assigneeId;
  const assigned = (id: string) => waitFor(`ticket ${id} assigned`, async () => (await assigneeOf(id)) ?? undefined);
  const updateUser = (userId: string, changes: object) => harness.send<UserView>(subjects.users.update, { principal: admin, userId, changes });
  /** Lets every pass this replica has started finish, so "still unassigned" is not just "not yet". */
  const settle = async (teamId: string) => harness.service.app.get(AssignmentService).kickTeam(teamId);

  it('round robin hands tickets to the online members in turn, each born assigned: one ticket.created naming the rule', async () => {
    const members = await agents(3);
    await harness.reportPresence(members);
    const rr = await team('round_robin', members);
    // Joining the team kicked a pass over it: a creation meeting that pass's lock would leave its ticket to the pass.
    await harness.service.app.get(AssignmentService).settled();
    const tickets: TicketView[] = [];
    for (let index = 0; index < 6; index += 1) tickets.push(await open(rr.id));
    const order = [...members].map((member) => member.userId).sort();
    // The creation's own answer carries the assignee: no pass was needed.
    expect(tickets.map((item) => item.assigneeId)).toEqual([...order, ...order]);
    expect(await Promise.all(tickets.map((item) => assigneeOf(item.id)))).toEqual([...order, ...order]);
    const history = (await harness.dataSource.query(`SELECT actor_id, action, changes FROM helpdesk.ticket_events WHERE ticket_id = $1 ORDER BY id`, [tickets[0]!.id])) as Array<{
      actor_id: string | null;
      action: string;
      changes: Record<string, unknown>;
    }>;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ actor_id: admin.userId, action: 'created', changes: { assigneeId: { from: null, to: order[0] }, assignment: { from: null, to: 'round_robin' } } });
    const events = await waitFor('the creation event', async () => {
      const stored = (await harness.storedEvents()).map((event) => event.envelope).filter((event) => event.aggregateId === tickets[0]!.id);
      return stored.length >= 1 ? stored : undefined;
    });
    expect(events.map((event) => event.type)).toEqual(['ticket.created']);
    expect(events[0]!.data).toMatchObject({ ticket: { assigneeId: order[0], teamId: rr.id }, assignment: 'round_robin' });
  });

  it('lets one creation per team pick at a time on a replica, frees the turn when one fails, and leaves a burst beyond 32 waiting to the pass', async () => {
    const service = harness.service.app.get(AssignmentService);
    let inside = 0;
    let mostInside = 0;
    const order: number[] = [];
    const creation = (index: number) =>
      service.inCreationTurn('burst-team', async (mayPick) => {
        if (!mayPick) return 'left to the pass';
        inside += 1;
        mostInside = Math.max(mostInside, inside);
        await sleep(2);
        inside -= 1;
        order.push(index);
        if (index === 3) throw new Error('this creation failed');
        return 'picked';
      });
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, index) => creation(index)));
    const answers = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message));
    expect(answers.filter((answer) => answer === 'picked')).toHaveLength(31);
    expect(answers[3]).toBe('this creation failed');
    expect(answers.slice(32)).toEqual(Array.from({ length: 8 }, () => 'left to the pass'));
    expect(mostInside).toBe(1);
    expect(order).toEqual(Array.from({ length: 32 }, (_, index) => index));
    // The queue is gone once empty: the next creation picks at once.
    expect(await creation(99)).toBe('picked');
  });

  it('manual teams keep their tickets unassigned', async () => {
    const members = await agents(2);
    await harness.reportPresence(members);
    const manual = await team('manual', members);
    const created = await open(manual.id);
    await settle(manual.id);
    expect(await assigneeOf(created.id)).toBeNull();
  });

  it('load balanced picks the member with the fewest open tickets; solved ones do not count', async () => {
    const [busy, idle] = await agents(2);
    await harness.reportPresence([busy!, idle!]);
    const lb = await team('load_balanced', [busy!, idle!]);
    for (let index = 0; index < 3; index += 1) {
      const own = await open(lb.id);
      await harness.send(subjects.tickets.update, { principal: admin, ticketId: own.id, changes: { assigneeId: busy!.userId } });
    }
    const finished = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Old', description: 'x' });
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: finished.id, changes: { assigneeId: idle!.userId, status: 'solved' } });
    await settle(lb.id);
    const next = [];
    for (let index = 0; index < 4; index += 1) {
      const created = await open(lb.id);
      next.push(await assigned(created.id));
    }
    // idle had 0 open: takes three to catch up with busy's 3, then they take turns.
    expect(next.slice(0, 3)).toEqual([idle!.userId, idle!.userId, idle!.userId]);
    expect([busy!.userId, idle!.userId]).toContain(next[3]);
  });

  it('never gives an agent more open tickets than their capacity; the waiting ticket goes once they have room', async () => {
    const [agent] = await agents(1);
    await updateUser(agent!.userId, { capacity: 1 });
    await harness.reportPresence([agent!]);
    const rr = await team('round_robin', [agent!]);
    const first = await open(rr.id);
    expect(await assigned(first.id)).toBe(agent!.userId);
    const second = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(second.id)).toBeNull();
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: first.id, changes: { status: 'solved' } });
    expect(await assigned(second.id)).toBe(agent!.userId);
    const third = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(third.id)).toBeNull();
    await updateUser(agent!.userId, { capacity: 2 });
    expect(await assigned(third.id)).toBe(agent!.userId);
    const fourth = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(fourth.id)).toBeNull();
    // Unlimited again.
    expect((await updateUser(agent!.userId, { capacity: null })).capacity).toBeNull();
    expect(await assigned(fourth.id)).toBe(agent!.userId);
  });

  it('frees capacity when a ticket is reassigned by hand', async () => {
    const [agent, other] = await agents(2);
    await updateUser(agent!.userId, { capacity: 1 });
    await harness.reportPresence([agent!]);
    const rr = await team('round_robin', [agent!]);
    const first = await open(rr.id);
    expect(await assigned(first.id)).toBe(agent!.userId);
    const second = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(second.id)).toBeNull();
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: first.id, changes: { assigneeId: other!.userId } });
    expect(await assigned(second.id)).toBe(agent!.userId);
  });

  it('online follows presence; hand-set away or offline wins over it; a lapsed report is offline', async () => {
    const [agent] = await agents(1);
    const rr = await team('round_robin', [agent!]);
    const view = () => harness.send<UserView>(subjects.users.get, { principal: admin, userId: agent!.userId });
    expect(await view()).toMatchObject({ availability: 'offline', availabilitySetting: 'online', capacity: null });
    // Not connected: waits.
    const waiting = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(waiting.id)).toBeNull();
    // Away by hand, then connected: still waits.
    const agentPrincipal = agent!;
    const me = await harness.send<MeReply>(subjects.users.updateOwnAccount, { principal: agentPrincipal, changes: { availability: 'away' } });
    expect(me.user).toMatchObject({ availability: 'away', availabilitySetting: 'away' });
    await harness.reportPresence([agent!]);
    await settle(rr.id);
    expect(await assigneeOf(waiting.id)).toBeNull();
    expect((await view()).availability).toBe('away');
    // Online again by hand while connected: assigned at once.
    await harness.send<MeReply>(subjects.users.updateOwnAccount, { principal: agentPrincipal, changes: { availability: 'online' } });
    expect(await assigned(waiting.id)).toBe(agent!.userId);
    expect((await view()).availability).toBe('online');
    // The admin sets them offline: new tickets wait.
    expect((await updateUser(agent!.userId, { availability: 'offline' })).availability).toBe('offline');
    const next = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(next.id)).toBeNull();
    await updateUser(agent!.userId, { availability: 'online' });
    expect(await assigned(next.id)).toBe(agent!.userId);
    // The last socket closes: offline, and new tickets wait.
    await harness.reportPresence([], { disconnected: [agent!] });
    expect((await view()).availability).toBe('offline');
    const afterDisconnect = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(afterDisconnect.id)).toBeNull();
    // A replica that reported them and then died: the report lapses by itself.
    await harness.reportPresence([agent!], { replicaId: 'dying-replica', ttlMs: 1_000 });
    expect(await assigned(afterDisconnect.id)).toBe(agent!.userId);
    await waitFor('the report to lapse', async () => ((await view()).availability === 'offline' ? true : undefined));
    const afterLapse = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(afterLapse.id)).toBeNull();
    // A heartbeat that no longer lists them drops them too.
    await harness.reportPresence([agent!], { replicaId: 'beating' });
    expect(await assigned(afterLapse.id)).toBe(agent!.userId);
    await harness.reportPresence([], { replicaId: 'beating', heartbeat: true });
    expect((await view()).availability).toBe('offline');
  });

  it('tickets wait when nobody is free and go to a member added later, or to a team switched to a rule', async () => {
    const [first, second] = await agents(2);
    await harness.reportPresence([first!, second!]);
    const empty = await team('load_balanced', []);
    const waiting = await open(empty.id);
    await settle(empty.id);
    expect(await assigneeOf(waiting.id)).toBeNull();
    await harness.send(subjects.teams.setMembers, { principal: admin, teamId: empty.id, memberIds: [first!.userId] });
    expect(await assigned(waiting.id)).toBe(first!.userId);
    // A ticket that waited is assigned by the team's pass: a change of its own, audited and evented as the system.
    const history = (await harness.dataSource.query(`SELECT actor_id, action, changes FROM helpdesk.ticket_events WHERE ticket_id = $1 ORDER BY id`, [waiting.id])) as Array<{ actor_id: string | null; action: string; changes: Record<string, unknown> }>;
    expect(history.at(-1)).toEqual({ actor_id: null, action: 'updated', changes: { assigneeId: { from: null, to: first!.userId }, assignment: { from: null, to: 'load_balanced' } } });
    const events = await waitFor('the assignment events', async () => {
      const stored = (await harness.storedEvents()).map((event) => event.envelope).filter((event) => event.aggregateId === waiting.id && event.type !== 'ticket.created');
      return stored.length >= 2 ? stored : undefined;
    });
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['ticket.updated', { system: 'assignment' }],
      ['ticket.assigned', { system: 'assignment' }],
    ]);
    expect(events[0]!.data).toMatchObject({ changes: { assigneeId: { from: null, to: first!.userId } }, assignment: 'load_balanced' });

    const manual = await team('manual', [second!]);
    const parked = await open(manual.id);
    await settle(manual.id);
    expect(await assigneeOf(parked.id)).toBeNull();
    expect((await harness.send<TeamView>(subjects.teams.update, { principal: admin, teamId: manual.id, assignment: 'round_robin' })).assignment).toBe('round_robin');
    expect(await assigned(parked.id)).toBe(second!.userId);

    // Moved into a team without an assignee: assigned by that team's rule.
    const moved = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Elsewhere', description: 'x' });
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: moved.id, changes: { teamId: manual.id } });
    expect(await assigned(moved.id)).toBe(second!.userId);
  });

  it('a customer reply that reopens a solved, unassigned ticket of the team gets it assigned', async () => {
    const [agent] = await agents(1);
    const email = `reopener-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const customer = await harness.addUser(admin.orgId, 'customer', email);
    const rr = await team('round_robin', [agent!]);
    const created = await harness.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Solved alone', description: 'x', requesterEmail: email, teamId: rr.id });
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: created.id, changes: { status: 'solved' } });
    await harness.reportPresence([agent!]);
    await settle(rr.id);
    expect(await assigneeOf(created.id)).toBeNull();
    await harness.send(subjects.comments.create, { principal: customer, ticketId: created.id, body: '<p>Still broken</p>' });
    expect(await assigned(created.id)).toBe(agent!.userId);
  });

  it('never picks another organization\'s users, even listed as members or reported present', async () => {
    const { admin: otherAdmin } = await harness.signup('Other Org');
    const [outsider] = await agents(1, otherAdmin);
    const refused = await harness.fail(subjects.teams.setMembers, { principal: admin, teamId: (await team('round_robin', [])).id, memberIds: [outsider!.userId] });
    expect(refused.code).toBe('VALIDATION');
    const rr = await team('round_robin', []);
    // A membership row that should never exist: the pass still checks the organization.
    await harness.dataSource.query(`INSERT INTO helpdesk.team_members (team_id, user_id) VALUES ($1, $2)`, [rr.id, outsider!.userId]);
    await harness.reportPresence([outsider!]);
    // A report naming the user under the wrong organization records nothing.
    expect((await harness.reportPresence([{ ...outsider!, orgId: admin.orgId }], { replicaId: 'forged' })).present).toBe(0);
    const created = await open(rr.id);
    await settle(rr.id);
    expect(await assigneeOf(created.id)).toBeNull();
    // Another organization's team is not found for create, and its users cannot be set on ours.
    expect((await harness.fail(subjects.tickets.create, { principal: otherAdmin, subject: 'x', description: 'x', teamId: rr.id })).code).toBe('VALIDATION');
    expect((await harness.fail(subjects.users.update, { principal: otherAdmin, userId: admin.userId, changes: { capacity: 3 } })).code).toBe('NOT_FOUND');
  });

  it('refuses bad values by name and keeps the rules admin-only', async () => {
    const [agent] = await agents(1);
    const customer = await harness.addUser(admin.orgId, 'customer');
    const capacity = await harness.fail(subjects.users.update, { principal: admin, userId: agent!.userId, changes: { capacity: 0 } });
    expect(capacity).toMatchObject({ code: 'VALIDATION' });
    expect(capacity.message).toContain('capacity');
    const availability = await harness.fail(subjects.users.update, { principal: admin, userId: agent!.userId, changes: { availability: 'busy' } });
    expect(availability.message).toContain('availability');
    const rule = await harness.fail(subjects.teams.create, { principal: admin, name: 'Bad rule', assignment: 'random' });
    expect(rule).toMatchObject({ code: 'VALIDATION' });
    expect(rule.message).toContain('assignment');
    expect((await harness.fail(subjects.teams.create, { principal: agent, name: 'Mine', assignment: 'round_robin' })).code).toBe('FORBIDDEN');
    expect((await harness.fail(subjects.users.update, { principal: agent, userId: agent!.userId, changes: { capacity: 50 } })).code).toBe('FORBIDDEN');
    expect((await harness.fail(subjects.users.updateOwnAccount, { principal: customer, changes: { availability: 'online' } })).code).toBe('FORBIDDEN');
    const rr = await team('round_robin', []);
    expect((await harness.fail(subjects.tickets.create, { principal: customer, subject: 'x', description: 'x', teamId: rr.id })).code).toBe('FORBIDDEN');
  });
});
