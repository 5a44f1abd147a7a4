import { AccessTokens } from '@helpdesk/common';
import { SERVER_SHUTDOWN_EVENT, SESSION_EXPIRED_EVENT, subjects, type CommentView, type Principal, type RealtimeAck, type TicketView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../../ticket/src/testing/ticket-harness.js';
import { MISSING_TOKEN_MESSAGE } from './sockets/session-auth.js';
import { RealtimeReplica, TEST_SECRET_KEY, type TestClient } from './testing/realtime-harness.js';

const INVALID_TOKEN_MESSAGE = 'The access token is invalid or has expired';

describe('realtime service', () => {
  const tokens = new AccessTokens(TEST_SECRET_KEY);
  let tickets: TicketHarness;
  let replica: RealtimeReplica;
  let otherReplica: RealtimeReplica;
  let acme: { admin: Principal; agent: Principal; customer: Principal; otherCustomer: Principal };
  let globex: { admin: Principal };

  beforeAll(async () => {
    tickets = await TicketHarness.start('realtime');
    [replica, otherReplica] = await Promise.all([RealtimeReplica.start(tickets.nats.url), RealtimeReplica.start(tickets.nats.url)]);
    const { admin } = await tickets.signup('Acme');
    acme = {
      admin,
      agent: await tickets.addUser(admin.orgId, 'agent'),
      customer: await tickets.addUser(admin.orgId, 'customer'),
      otherCustomer: await tickets.addUser(admin.orgId, 'customer'),
    };
    globex = { admin: (await tickets.signup('Globex')).admin };
  });

  afterAll(async () => {
    await replica?.stop();
    await otherReplica?.stop();
    await tickets?.stop();
  });

  const connect = (principal: Principal, on = replica) => on.connect(tokens.sign(principal));
  const openTicket = (principal: Principal, subject = 'Printer on fire') =>
    tickets.send<TicketView>(subjects.tickets.create, { principal, subject, description: 'It smells of toner.' });
  const comment = (principal: Principal, ticketId: string, body: string, internal = false) =>
    tickets.send<CommentView>(subjects.comments.create, { principal, ticketId, body: `<p>${body}</p>`, internal });
  const join = (client: TestClient, ticketId: unknown) => client.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId } as { ticketId: string }) as Promise<RealtimeAck>;

  describe('handshake', () => {
    it('refuses a connection without an access token', async () => {
      expect(await replica.refusal({})).toBe(MISSING_TOKEN_MESSAGE);
    });

    it('refuses a token signed with another key', async () => {
      const forged = new AccessTokens('someone-elses-secret-key-0123456789').sign(acme.admin);
      expect(await replica.refusal({ token: forged })).toBe(INVALID_TOKEN_MESSAGE);
    });

    it('refuses an expired token', async () => {
      const expired = new AccessTokens(TEST_SECRET_KEY, -60).sign(acme.admin);
      expect(await replica.refusal({ token: expired })).toBe(INVALID_TOKEN_MESSAGE);
    });

    it('ends the connection when its token expires, saying so first', async () => {
      const clocked = await RealtimeReplica.start(tickets.nats.url);
      try {
        const clock = clocked.useFakeClock();
        const token = tokens.sign(acme.agent);
        const client = await clocked.connect(token);
        const closed = client.disconnected();

        clock.tick(tokens.verify(token).expiresAt.getTime() - clock.now - 1);
        expect(await client.socket.timeout(10_000).emitWithAck('ticket:leave', { ticketId: randomUUID() })).toEqual({ ok: true });
        clock.tick(1);

        expect(await closed).toBe('io server disconnect');
        expect(client.received.map((entry) => entry.name)).toEqual([SESSION_EXPIRED_EVENT]);
      } finally {
        await clocked.stop();
      }
    });
  });

  describe('ticket rooms', () => {
    it('lets a customer join their own ticket, and refuses another customer\'s and another organization\'s as NOT_FOUND', async () => {
      const ticket = await openTicket(acme.customer);
      const owner = await connect(acme.customer);
      const otherCustomer = await connect(acme.otherCustomer);
      const otherOrganization = await connect(globex.admin);

      expect(await join(owner, ticket.id)).toEqual({ ok: true });
      expect(await join(otherCustomer, ticket.id)).toEqual({ ok: false, error: 'NOT_FOUND' });
      expect(await join(otherOrganization, ticket.id)).toEqual({ ok: false, error: 'NOT_FOUND' });
      [owner, otherCustomer, otherOrganization].forEach((client) => client.close());
    });

    it('refuses a ticket id that is not a UUID', async () => {
      const client = await connect(acme.agent);
      expect(await join(client, 'not-a-uuid')).toEqual({ ok: false, error: 'VALIDATION' });
      expect(await client.socket.timeout(10_000).emitWithAck('ticket:leave', { ticketId: '42' })).toEqual({ ok: false, error: 'VALIDATION' });
      client.close();
    });
  });

  describe('event fan-out', () => {
    it('pushes ticket.created to the staff of the ticket\'s organization and never to another organization', async () => {
      const acmeAgent = await connect(acme.agent);
      const globexAdmin = await connect(globex.admin);

      // Published in this order, so once each has its own ticket any misrouted one would have arrived.
      const globexTicket = await openTicket(globex.admin, 'Globex only');
      const acmeTicket = await openTicket(acme.admin, 'Acme only');
      const seen = await acmeAgent.waitForEvent('ticket.created', (event) => event.aggregateId === acmeTicket.id);
      await globexAdmin.waitForEvent('ticket.created', (event) => event.aggregateId === globexTicket.id);

      expect(seen.orgId).toBe(acme.admin.orgId);
      expect(acmeAgent.events('ticket.created').map((event) => event.aggregateId)).not.toContain(globexTicket.id);
      expect(globexAdmin.events('ticket.created').map((event) => event.aggregateId)).not.toContain(acmeTicket.id);
      acmeAgent.close();
      globexAdmin.close();
    });

    it('pushes public comments to the customer in the ticket room, and internal notes to staff only', async () => {
      const ticket = await openTicket(acme.customer);
      const customer = await connect(acme.customer);
      const agent = await connect(acme.agent);
      expect(await join(customer, ticket.id)).toEqual({ ok: true });
      expect(await join(agent, ticket.id)).toEqual({ ok: true });

      const note = await comment(acme.agent, ticket.id, 'Customer seems upset, escalate', true);
      const reply = await comment(acme.agent, ticket.id, 'We are on it');
      await customer.waitForEvent('comment.created', (event) => (event.data as { comment: CommentView }).comment.id === reply.id);
      await agent.waitForEvent('comment.created', (event) => (event.data as { comment: CommentView }).comment.id === reply.id);

      const commentIds = (client: TestClient) => client.events('comment.created').map((event) => (event.data as { comment: CommentView }).comment.id);
      expect(commentIds(customer)).toEqual([reply.id]);
      expect(commentIds(agent)).toEqual([note.id, reply.id]);
      customer.close();
      agent.close();
    });

    it('with two replicas on the same NATS, a client on each receives each event exactly once', async () => {
      const ticket = await openTicket(acme.customer);
      const onFirst = await connect(acme.agent, replica);
      const onSecond = await connect(acme.admin, otherReplica);
      // In the organization room and the ticket room: still one copy.
      expect(await join(onFirst, ticket.id)).toEqual({ ok: true });

      const first = await comment(acme.customer, ticket.id, 'Any news?');
      const last = await comment(acme.agent, ticket.id, 'Tomorrow');
      const isLast = (event: { data: unknown }) => (event.data as { comment: CommentView }).comment.id === last.id;
      // Each replica pushes in stream order: once the later comment is in, any duplicate of the first would be too.
      await onFirst.waitForEvent('comment.created', isLast);
      await onSecond.waitForEvent('comment.created', isLast);

      for (const client of [onFirst, onSecond]) {
        const ids = client.events('comment.created').map((event) => (event.data as { comment: CommentView }).comment.id);
        expect(ids).toEqual([first.id, last.id]);
        expect(new Set(client.events('comment.created').map((event) => event.id)).size).toBe(2);
      }
      onFirst.close();
      onSecond.close();
    });

    it('exports connected sockets, pushed events by type and push latency', async () => {
      const agent = await connect(acme.agent);
      const ticket = await openTicket(acme.admin, 'Counted');
      await agent.waitForEvent('ticket.created', (event) => event.aggregateId === ticket.id);

      const metrics = await replica.metrics();
      expect(metrics).toMatch(/^helpdesk_realtime_connected_sockets\{[^}]*\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^helpdesk_realtime_events_pushed_total\{[^}]*type="ticket\.created"[^}]*\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^helpdesk_realtime_event_push_latency_seconds_count\{[^}]*type="ticket\.created"[^}]*\} [1-9]\d*$/m);
      agent.close();
    });
  });

  describe('shutdown', () => {
    it('tells its clients to reconnect elsewhere before closing', async () => {
      const leaving = await RealtimeReplica.start(tickets.nats.url);
      const client = await leaving.connect(tokens.sign(acme.agent));
      const disconnected = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));

      expect(await leaving.stop()).toBe(0);

      // A transport close (not a server-side disconnect) is what makes a Socket.IO client reconnect by itself.
      expect(await disconnected).toBe('transport close');
      await waitFor('the shutdown notice', async () => client.received.some((entry) => entry.name === SERVER_SHUTDOWN_EVENT));
    });
  });
});
