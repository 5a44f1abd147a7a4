import { AccessTokens } from '@helpdesk/common';
import { subjects, type CommentView, type EventEnvelope, type Principal, type RealtimeAck, type ReplayAck, type TicketView } from '@helpdesk/contracts';
import { v7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { EventFanout } from '../events/event-fanout.service.js';
import { RealtimeReplica, TEST_SECRET_KEY, type TestClient } from '../testing/realtime-harness.js';
import { EventReplay } from './event-replay.service.js';

describe('missed-event replay after a reconnect', () => {
  const tokens = new AccessTokens(TEST_SECRET_KEY);
  let tickets: TicketHarness;
  let first: RealtimeReplica;
  let second: RealtimeReplica;
  let acme: { admin: Principal; agent: Principal; customer: Principal; otherCustomer: Principal };
  let globex: { admin: Principal };
  let witness: TestClient;

  beforeAll(async () => {
    tickets = await TicketHarness.start('replay');
    [first, second] = await Promise.all([RealtimeReplica.start(tickets.nats.url), RealtimeReplica.start(tickets.nats.url)]);
    const { admin } = await tickets.signup('Acme');
    acme = {
      admin,
      agent: await tickets.addUser(admin.orgId, 'agent'),
      customer: await tickets.addUser(admin.orgId, 'customer'),
      otherCustomer: await tickets.addUser(admin.orgId, 'customer'),
    };
    globex = { admin: (await tickets.signup('Globex')).admin };
    witness = await connect(acme.admin, second);
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await tickets?.stop();
  });

  const connect = (principal: Principal, on: RealtimeReplica) => on.connect(tokens.sign(principal));
  const openTicket = (principal: Principal, subject = 'Printer on fire') => tickets.send<TicketView>(subjects.tickets.create, { principal, subject, description: 'Smoke.' });
  const comment = (principal: Principal, ticketId: string, body: string, internal = false) =>
    tickets.send<CommentView>(subjects.comments.create, { principal, ticketId, body: `<p>${body}</p>`, internal });
  const replay = (client: TestClient, lastEventId: unknown) => client.socket.timeout(20_000).emitWithAck('events:replay', { lastEventId } as { lastEventId: string }) as Promise<ReplayAck>;
  // Events that follow a comment in the same transaction may arrive live and replayed: clients drop duplicates by id, so do we.
  const commentIds = (client: TestClient) => [...new Set(client.events('comment.created').map((event) => (event.data as { comment: CommentView }).comment.id))];
  const lastEventOf = async (client: TestClient, ticketId: string) => client.waitForEvent('ticket.created', (event) => event.aggregateId === ticketId);
  /**
   * Waits until an admin's socket (the witness) on the replica the client will reconnect to got the
   * comment: the outbox publishes after the command returns, and the replica pushes in stream
   * order, so everything before it is then in the stream and already pushed there (not live again).
   */
  const settled = (witness: TestClient, commentId: string) => witness.waitForEvent('comment.created', (event) => (event.data as { comment: CommentView }).comment.id === commentId);

  it('sends a reconnecting agent, on another replica, what happened while it was away, in stream order', async () => {
    const before = await connect(acme.agent, first);
    const ticket = await openTicket(acme.customer);
    const lastSeen = await lastEventOf(before, ticket.id);
    before.close();

    const note = await comment(acme.agent, ticket.id, 'Escalate', true);
    const foreign = await openTicket(globex.admin, 'Globex only');
    const reply = await comment(acme.admin, ticket.id, 'On it');
    await settled(witness, reply.id);
    const after = await connect(acme.agent, second);
    const ack = await replay(after, lastSeen.id);

    expect(ack).toMatchObject({ ok: true });
    expect(commentIds(after)).toEqual([note.id, reply.id]);
    const replayed = after.received.map((entry) => entry.payload as EventEnvelope);
    expect((ack as { replayed: number }).replayed).toBeGreaterThanOrEqual(2);
    expect(replayed.map((event) => event.orgId).every((orgId) => orgId === acme.admin.orgId)).toBe(true);
    expect(replayed.map((event) => event.aggregateId)).not.toContain(foreign.id);
    after.close();
  });

  it('replays to a customer only the public events of their own tickets', async () => {
    const before = await connect(acme.customer, first);
    const own = await openTicket(acme.customer);
    const lastSeen = await lastEventOf(before, own.id);
    before.close();

    await comment(acme.agent, own.id, 'Customer seems upset', true);
    const reply = await comment(acme.agent, own.id, 'We are on it');
    const othersTicket = await openTicket(acme.otherCustomer);
    const last = await comment(acme.agent, othersTicket.id, 'Hello other customer');
    await settled(witness, last.id);
    const after = await connect(acme.customer, second);
    const ack = await replay(after, lastSeen.id);

    expect(ack).toMatchObject({ ok: true });
    expect(commentIds(after)).toEqual([reply.id]);
    const tickets = new Set(after.received.map((entry) => (entry.payload as EventEnvelope).aggregateId));
    expect([...tickets]).toEqual([own.id]);
    after.close();
  });

  it('includes the events of a ticket room the client joined again before asking', async () => {
    const ticket = await openTicket(acme.customer);
    const before = await connect(acme.customer, first);
    expect(await before.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId: ticket.id })).toEqual({ ok: true } satisfies RealtimeAck);
    const first_ = await comment(acme.agent, ticket.id, 'First');
    const lastSeen = await before.waitForEvent('comment.created', (event) => (event.data as { comment: CommentView }).comment.id === first_.id);
    before.close();

    const second_ = await comment(acme.agent, ticket.id, 'Second');
    await settled(witness, second_.id);
    const after = await connect(acme.customer, second);
    await after.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId: ticket.id });
    expect(await replay(after, lastSeen.id)).toMatchObject({ ok: true });
    expect(commentIds(after)).toEqual([second_.id]);
    after.close();
  });

  it('reads on past its own count of the stream to what the replica already pushed live', async () => {
    // A replay's consumer may sit on a NATS replica that lags the live push's: it must not stop short of it.
    const client = await connect(acme.agent, first);
    const ticket = await openTicket(acme.customer);
    const lastSeen = await lastEventOf(client, ticket.id);
    client.close();
    // As if the live push had already reached the next event, which this replay's count cannot include yet.
    const pushedThrough = first.service.app.get(EventFanout).state.nextSequence!;
    let later: TicketView | undefined;
    const opening = new Promise<void>((resolve) => setTimeout(() => void openTicket(acme.customer, 'Published after the count').then((opened) => ((later = opened), resolve())), 300));
    const result = await first.service.app.get(EventReplay).since(lastSeen.id, () => true, pushedThrough);
    await opening;
    expect('events' in result && result.events.map(({ event }) => event.aggregateId)).toContain(later!.id);
  });

  it('tells the client to refetch when the event is not in the stream', async () => {
    const client = await connect(acme.agent, first);
    expect(await replay(client, v7())).toEqual({ ok: false, error: 'REFETCH', reason: 'UNKNOWN_EVENT' });
    client.close();
  });

  it('tells the client to refetch when more events followed its last one than a replay may send', async () => {
    const bounded = await RealtimeReplica.start(tickets.nats.url, { REALTIME_REPLAY_MAX_EVENTS: '3' });
    try {
      const boundedWitness = await bounded.connect(tokens.sign(acme.admin));
      const before = await bounded.connect(tokens.sign(acme.agent));
      const ticket = await openTicket(acme.admin);
      const lastSeen = await lastEventOf(before, ticket.id);
      before.close();
      let last: CommentView | undefined;
      for (const body of ['one', 'two', 'three', 'four']) last = await comment(acme.agent, ticket.id, body, true);
      await settled(boundedWitness, last!.id);

      const after = await bounded.connect(tokens.sign(acme.agent));
      expect(await replay(after, lastSeen.id)).toEqual({ ok: false, error: 'REFETCH', reason: 'GAP_TOO_LARGE' });
      expect(after.events('comment.created')).toEqual([]);
      after.close();
    } finally {
      await bounded.stop();
    }
  });

  it('starts at most one replay per socket every 10 seconds, answering RATE_LIMITED with when to retry', async () => {
    const spaced = await RealtimeReplica.start(tickets.nats.url);
    try {
      const clock = spaced.useFakeClock();
      const client = await spaced.connect(tokens.sign(acme.agent));
      const ticket = await openTicket(acme.admin);
      const lastSeen = await lastEventOf(client, ticket.id);

      const answers = await Promise.all([replay(client, lastSeen.id), replay(client, lastSeen.id)]);
      expect(answers).toEqual([{ ok: true, replayed: expect.any(Number) }, { ok: false, error: 'RATE_LIMITED', retryAfterMs: 10_000 }]);
      clock.tick(9_999);
      expect(await replay(client, lastSeen.id)).toEqual({ ok: false, error: 'RATE_LIMITED', retryAfterMs: 1 });
      clock.tick(1);
      expect(await replay(client, lastSeen.id)).toMatchObject({ ok: true });
      // Per socket: another tab of the same user is not held back.
      const otherTab = await spaced.connect(tokens.sign(acme.agent));
      expect(await replay(otherTab, lastSeen.id)).toMatchObject({ ok: true });
      expect(await spaced.metric('helpdesk_realtime_rate_limited_messages_total', 'limit="replay"')).toBe(2);
    } finally {
      await spaced.stop();
    }
  });

  it('refuses an id that is not an event id', async () => {
    const client = await connect(acme.agent, first);
    expect(await replay(client, 'not-an-id')).toEqual({ ok: false, error: 'VALIDATION' });
    expect(await replay(client, undefined)).toEqual({ ok: false, error: 'VALIDATION' });
    client.close();
  });
});
