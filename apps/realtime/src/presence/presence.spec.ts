import { AccessTokens } from '@helpdesk/common';
import { PRESENCE_EVENT, subjects, type Principal, type RealtimeAck, type TicketPresence, type TicketView, type TypingRequest } from '@helpdesk/contracts';
import { deleteRedisKeys } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { RealtimeReplica, TEST_SECRET_KEY, testQueuePrefix, type TestClient } from '../testing/realtime-harness.js';

describe('presence across two replicas', () => {
  const tokens = new AccessTokens(TEST_SECRET_KEY);
  let tickets: TicketHarness;
  let first: RealtimeReplica;
  let second: RealtimeReplica;
  let acme: { admin: Principal; agent: Principal; customer: Principal };
  const queuePrefix = testQueuePrefix();

  beforeAll(async () => {
    tickets = await TicketHarness.start('presence');
    const shared = { QUEUE_PREFIX: queuePrefix, REALTIME_TYPING_TTL_MS: '1000' };
    [first, second] = await Promise.all([RealtimeReplica.start(tickets.nats.url, shared), RealtimeReplica.start(tickets.nats.url, shared)]);
    const { admin } = await tickets.signup('Acme');
    acme = { admin, agent: await tickets.addUser(admin.orgId, 'agent'), customer: await tickets.addUser(admin.orgId, 'customer') };
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await tickets?.stop();
    await deleteRedisKeys(queuePrefix);
  });

  const connect = (principal: Principal, on: RealtimeReplica) => on.connect(tokens.sign(principal));
  const openTicket = async (principal: Principal) => (await tickets.send<TicketView>(subjects.tickets.create, { principal, subject: 'Printer on fire', description: 'Smoke.' })).id;
  const send = (client: TestClient, event: 'ticket:join' | 'ticket:leave' | 'ticket:typing', request: TypingRequest) =>
    client.socket.timeout(10_000).emitWithAck(event, request) as Promise<RealtimeAck>;
  const viewerIds = (presence: TicketPresence) => (presence.scope === 'staff' ? presence.viewers.map((viewer) => viewer.userId).sort() : []);
  const typists = (presence: TicketPresence) => (presence.scope === 'staff' ? presence.typing : []);

  it('shows staff everyone viewing a ticket, whichever replica they are on, once per user', async () => {
    const ticketId = await openTicket(acme.admin);
    const agent = await connect(acme.agent, first);
    const admin = await connect(acme.admin, second);
    const agentSecondTab = await connect(acme.agent, second);
    for (const client of [agent, admin, agentSecondTab]) expect(await send(client, 'ticket:join', { ticketId })).toEqual({ ok: true });

    const both = [acme.admin.userId, acme.agent.userId].sort();
    await agent.waitForPresence(ticketId, (presence) => viewerIds(presence).join() === both.join());
    const seen = await admin.waitForPresence(ticketId, (presence) => viewerIds(presence).join() === both.join());
    expect(seen).toMatchObject({ scope: 'staff', typing: [] });
    [agent, admin, agentSecondTab].forEach((client) => client.close());
  });

  it('drops a viewer who leaves the ticket or disconnects, on the other replica too', async () => {
    const ticketId = await openTicket(acme.admin);
    const watcher = await connect(acme.admin, second);
    const leaving = await connect(acme.agent, first);
    await send(watcher, 'ticket:join', { ticketId });
    await send(leaving, 'ticket:join', { ticketId });
    await watcher.waitForPresence(ticketId, (presence) => viewerIds(presence).includes(acme.agent.userId));

    await send(leaving, 'ticket:leave', { ticketId });
    await watcher.waitForPresence(ticketId, (presence) => !viewerIds(presence).includes(acme.agent.userId));
    await send(leaving, 'ticket:join', { ticketId });
    await watcher.waitForPresence(ticketId, (presence) => viewerIds(presence).includes(acme.agent.userId));
    leaving.close();
    const after = await watcher.waitForPresence(ticketId, (presence) => !viewerIds(presence).includes(acme.agent.userId));
    expect(viewerIds(after)).toEqual([acme.admin.userId]);
    watcher.close();
  });

  it('shows staff who is typing and whether it is an internal note, until they stop or it lapses', async () => {
    const ticketId = await openTicket(acme.admin);
    const agent = await connect(acme.agent, first);
    const admin = await connect(acme.admin, second);
    await send(agent, 'ticket:join', { ticketId });
    await send(admin, 'ticket:join', { ticketId });

    expect(await send(agent, 'ticket:typing', { ticketId, internal: true })).toEqual({ ok: true });
    // Typing lapses after a second here: a slow machine may already show the lapse, so look through what arrived.
    await admin.waitForPresenceSeen(ticketId, (presence) => typists(presence).some((typist) => typist.userId === acme.agent.userId && typist.internal));
    await send(agent, 'ticket:typing', { ticketId, typing: false });
    await admin.waitForPresence(ticketId, (presence) => typists(presence).length === 0);

    // Never told to stop: the typing lapses after REALTIME_TYPING_TTL_MS, and the other replica hears of it.
    await send(agent, 'ticket:typing', { ticketId });
    await admin.waitForPresenceSeen(ticketId, (presence) => typists(presence).some((typist) => typist.userId === acme.agent.userId && !typist.internal));
    await admin.waitForPresence(ticketId, (presence) => typists(presence).length === 0);
    agent.close();
    admin.close();
  });

  it('tells a customer only that an agent is writing a public reply, never who views or writes internal notes', async () => {
    const ticketId = await openTicket(acme.customer);
    const customer = await connect(acme.customer, first);
    const agent = await connect(acme.agent, second);
    const admin = await connect(acme.admin, second);
    expect(await send(customer, 'ticket:join', { ticketId })).toEqual({ ok: true });
    await customer.waitForPresence(ticketId, () => true);
    await send(agent, 'ticket:join', { ticketId });
    await send(admin, 'ticket:join', { ticketId });
    // Staff see the customer viewing.
    await admin.waitForPresence(ticketId, (presence) => viewerIds(presence).includes(acme.customer.userId) && viewerIds(presence).includes(acme.agent.userId));

    await send(agent, 'ticket:typing', { ticketId, internal: true });
    await admin.waitForPresenceSeen(ticketId, (presence) => typists(presence).length === 1);
    await send(agent, 'ticket:typing', { ticketId, internal: false });
    await customer.waitForPresenceSeen(ticketId, (presence) => presence.scope === 'customer' && presence.agentTyping);
    await send(agent, 'ticket:typing', { ticketId, typing: false });
    await customer.waitForPresence(ticketId, (presence) => presence.scope === 'customer' && !presence.agentTyping);

    const seenByCustomer = customer.received.filter((entry) => entry.name === PRESENCE_EVENT).map((entry) => entry.payload);
    // One view per change the customer can notice: nothing about staff arriving or writing an internal note.
    expect(seenByCustomer).toEqual([
      { ticketId, scope: 'customer', agentTyping: false },
      { ticketId, scope: 'customer', agentTyping: true },
      { ticketId, scope: 'customer', agentTyping: false },
    ]);
    [customer, agent, admin].forEach((client) => client.close());
  });

  it('removes the viewers of a replica that shuts down at once, without waiting for them to lapse', async () => {
    const ticketId = await openTicket(acme.admin);
    // Its viewers would linger ten minutes: only their removal on shutdown can make them go within the test.
    const leaving = await RealtimeReplica.start(tickets.nats.url, { QUEUE_PREFIX: queuePrefix, REALTIME_PRESENCE_TTL_MS: '600000' });
    const watcher = await connect(acme.admin, first);
    const agent = await connect(acme.agent, leaving);
    await send(watcher, 'ticket:join', { ticketId });
    await send(agent, 'ticket:join', { ticketId });
    await watcher.waitForPresence(ticketId, (presence) => viewerIds(presence).includes(acme.agent.userId));

    expect(await leaving.stop()).toBe(0);
    await watcher.waitForPresence(ticketId, (presence) => viewerIds(presence).join() === acme.admin.userId, 20_000);
    watcher.close();
  });

  it('refuses typing on a ticket the socket has not joined, and malformed requests', async () => {
    const ticketId = await openTicket(acme.admin);
    const agent = await connect(acme.agent, first);
    expect(await send(agent, 'ticket:typing', { ticketId })).toEqual({ ok: false, error: 'NOT_FOUND' });
    expect(await send(agent, 'ticket:typing', { ticketId: 'nope' })).toEqual({ ok: false, error: 'VALIDATION' });
    await send(agent, 'ticket:join', { ticketId });
    expect(await send(agent, 'ticket:typing', { ticketId, typing: 'yes' } as unknown as TypingRequest)).toEqual({ ok: false, error: 'VALIDATION' });
    agent.close();
  });
});
