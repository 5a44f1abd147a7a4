import { AccessTokens } from '@helpdesk/common';
import { SESSION_RATE_LIMITED_EVENT, subjects, type Principal, type RealtimeAck, type TicketView } from '@helpdesk/contracts';
import { deleteRedisKeys, waitFor } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { RealtimeReplica, TEST_SECRET_KEY, testQueuePrefix, type TestClient } from '../testing/realtime-harness.js';
import { TOO_MANY_CONNECTIONS_MESSAGE } from './connection-cap.js';

describe('limits on what one user and one socket may do', () => {
  const tokens = new AccessTokens(TEST_SECRET_KEY);
  const queuePrefix = testQueuePrefix();
  let tickets: TicketHarness;
  let first: RealtimeReplica;
  let second: RealtimeReplica;
  let throttled: RealtimeReplica;
  let acme: { admin: Principal; agent: Principal; otherAgent: Principal };

  beforeAll(async () => {
    tickets = await TicketHarness.start('realtime-limits');
    // Two replicas with the default limits, sharing their Redis keys as replicas behind one load balancer do.
    [first, second] = await Promise.all([RealtimeReplica.start(tickets.nats.url, { QUEUE_PREFIX: queuePrefix }), RealtimeReplica.start(tickets.nats.url, { QUEUE_PREFIX: queuePrefix })]);
    // A window far longer than the test, so that only the count decides.
    throttled = await RealtimeReplica.start(tickets.nats.url, { REALTIME_MESSAGE_LIMIT: '5', REALTIME_MESSAGE_WINDOW_MS: '600000', REALTIME_MESSAGE_REFUSALS_MAX: '5' });
    const { admin } = await tickets.signup('Acme');
    acme = { admin, agent: await tickets.addUser(admin.orgId, 'agent'), otherAgent: await tickets.addUser(admin.orgId, 'agent') };
  });

  afterAll(async () => {
    await throttled?.stop();
    await first?.stop();
    await second?.stop();
    await tickets?.stop();
    await deleteRedisKeys(queuePrefix);
  });

  const leave = (client: TestClient) => client.socket.timeout(10_000).emitWithAck('ticket:leave', { ticketId: randomUUID() }) as Promise<RealtimeAck>;

  describe('messages per socket', () => {
    it('answers every kind of message past REALTIME_MESSAGE_LIMIT in the window with RATE_LIMITED and when to retry, and spares the user\'s other sockets', async () => {
      const ticket = await tickets.send<TicketView>(subjects.tickets.create, { principal: acme.admin, subject: 'Flooded', description: 'Join spam.' });
      const flooding = await throttled.connect(tokens.sign(acme.agent));
      const otherTab = await throttled.connect(tokens.sign(acme.agent));
      for (let sent = 0; sent < 5; sent += 1) expect(await leave(flooding)).toEqual({ ok: true });

      const socket = flooding.socket.timeout(10_000);
      const refused = [
        await socket.emitWithAck('ticket:join', { ticketId: ticket.id }),
        await socket.emitWithAck('ticket:leave', { ticketId: ticket.id }),
        await socket.emitWithAck('ticket:typing', { ticketId: ticket.id }),
        await socket.emitWithAck('session:reauthenticate', { token: tokens.sign(acme.agent) }),
        await socket.emitWithAck('events:replay', { lastEventId: randomUUID() }),
      ];
      for (const answer of refused) {
        expect(answer).toEqual({ ok: false, error: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
        expect((answer as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
        expect((answer as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(600_000);
      }
      expect(flooding.socket.connected).toBe(true);
      expect(await otherTab.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId: ticket.id })).toEqual({ ok: true });
      expect(await throttled.metric('helpdesk_realtime_rate_limited_messages_total', 'limit="messages"')).toBe(5);
      flooding.close();
      otherTab.close();
    });

    it('disconnects a socket that goes on sending past REALTIME_MESSAGE_REFUSALS_MAX refusals, saying why', async () => {
      const client = await throttled.connect(tokens.sign(acme.agent));
      const closed = client.disconnected();
      // Five accepted, five refused: still connected; the next refusal is one too many.
      for (let sent = 0; sent < 10; sent += 1) await leave(client);
      expect(client.socket.connected).toBe(true);
      client.socket.emit('ticket:leave', { ticketId: randomUUID() }, () => undefined);

      expect(await closed).toBe('io server disconnect');
      expect(client.received.map((entry) => entry.name)).toEqual([SESSION_RATE_LIMITED_EVENT]);
      expect(await throttled.metric('helpdesk_realtime_closed_connections_total', 'reason="rate_limited"')).toBe(1);
    });
  });

  describe('connections per user', () => {
    it('refuses the 11th connection of one user across two replicas with TOO_MANY_CONNECTIONS, and admits one again once another closed', async () => {
      const open: TestClient[] = [];
      for (let index = 0; index < 10; index += 1) open.push(await (index % 2 === 0 ? first : second).connect(tokens.sign(acme.agent)));

      for (const replica of [first, second]) {
        const refusal = await replica.refusalError({ token: tokens.sign(acme.agent) });
        expect(refusal.message).toBe(TOO_MANY_CONNECTIONS_MESSAGE);
        expect(refusal.data).toEqual({ code: 'TOO_MANY_CONNECTIONS' });
      }
      expect((await first.metric('helpdesk_realtime_refused_connections_total', 'reason="too_many_connections"')) + (await second.metric('helpdesk_realtime_refused_connections_total', 'reason="too_many_connections"'))).toBe(2);
      // Another user of the same organization is not affected.
      const colleague = await first.connect(tokens.sign(acme.otherAgent));

      open.pop()!.close();
      const admitted = await waitFor('a connection admitted after one closed', async () => first.connect(tokens.sign(acme.agent)).catch(() => undefined));
      expect(admitted.socket.connected).toBe(true);
      expect((await first.refusalError({ token: tokens.sign(acme.agent) })).data).toEqual({ code: 'TOO_MANY_CONNECTIONS' });
      [...open, admitted, colleague].forEach((client) => client.close());
    });

    it('stops counting the connections of a replica that shuts down, so that its users reconnect elsewhere at once', async () => {
      // Its connections would count for ten minutes: only their removal on shutdown can free them within the test.
      const leaving = await RealtimeReplica.start(tickets.nats.url, { QUEUE_PREFIX: queuePrefix, REALTIME_PRESENCE_TTL_MS: '600000' });
      const deployed = await tickets.addUser(acme.admin.orgId, 'agent');
      for (let tab = 0; tab < 10; tab += 1) await leaving.connect(tokens.sign(deployed));
      expect((await first.refusalError({ token: tokens.sign(deployed) })).data).toEqual({ code: 'TOO_MANY_CONNECTIONS' });

      expect(await leaving.stop()).toBe(0);
      const back = await waitFor('a connection admitted on another replica', async () => first.connect(tokens.sign(deployed)).catch(() => undefined), 20_000);
      expect(back.socket.connected).toBe(true);
      back.close();
    });
  });
});
