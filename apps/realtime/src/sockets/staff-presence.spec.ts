import { AccessTokens } from '@helpdesk/common';
import { subjects, type Principal, type TeamView, type TicketView, type UserView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { RealtimeReplica, TEST_SECRET_KEY } from '../testing/realtime-harness.js';

/** Realtime tells the ticket service who has the console open; that is what "online" means for assignment. */
describe('staff presence for assignment', () => {
  const tokens = new AccessTokens(TEST_SECRET_KEY);
  let tickets: TicketHarness;
  let first: RealtimeReplica;
  let second: RealtimeReplica;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;

  beforeAll(async () => {
    tickets = await TicketHarness.start('staff-presence');
    [first, second] = await Promise.all([RealtimeReplica.start(tickets.nats.url), RealtimeReplica.start(tickets.nats.url)]);
    ({ admin } = await tickets.signup());
    agent = await tickets.addUser(admin.orgId, 'agent');
    customer = await tickets.addUser(admin.orgId, 'customer');
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await tickets?.stop();
  });

  const availability = async (user: Principal) => (await tickets.send<UserView>(subjects.users.get, { principal: admin, userId: user.userId })).availability;
  const becomes = (user: Principal, expected: string) => waitFor(`${user.userId} ${expected}`, async () => ((await availability(user)) === expected ? true : undefined));

  it('a connected agent is online on any replica until their last socket closes, and gets the waiting ticket', async () => {
    const team = await tickets.send<TeamView>(subjects.teams.create, { principal: admin, name: 'Live', assignment: 'round_robin' });
    await tickets.send(subjects.teams.setMembers, { principal: admin, teamId: team.id, memberIds: [agent.userId] });
    const waiting = await tickets.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Anyone?', description: 'x', teamId: team.id });
    expect(await availability(agent)).toBe('offline');

    const onFirst = await first.connect(tokens.sign(agent));
    await becomes(agent, 'online');
    await waitFor('the waiting ticket assigned', async () => (await tickets.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: waiting.id })).assigneeId ?? undefined);
    expect((await tickets.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: waiting.id })).assigneeId).toBe(agent.userId);

    const onSecond = await second.connect(tokens.sign(agent));
    const alsoOnFirst = await first.connect(tokens.sign(agent));
    onFirst.socket.disconnect();
    alsoOnFirst.socket.disconnect();
    // Still connected through the other replica.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await availability(agent)).toBe('online');
    onSecond.socket.disconnect();
    await becomes(agent, 'offline');
  });

  it('customers connecting never count as staff presence', async () => {
    const client = await first.connect(tokens.sign(customer));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [row] = (await tickets.dataSource.query(`SELECT count(*)::int AS rows FROM helpdesk.staff_presence WHERE user_id = $1`, [customer.userId])) as Array<{ rows: number }>;
    expect(row!.rows).toBe(0);
    client.socket.disconnect();
  });
});
