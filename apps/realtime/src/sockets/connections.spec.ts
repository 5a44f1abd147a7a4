import { AccessTokens } from '@helpdesk/common';
import {
  EVENT_SUBJECT_PREFIX,
  EVENTS_STREAM,
  SESSION_EXPIRED_EVENT,
  SESSION_IDLE_EVENT,
  subjects,
  type Principal,
  type ReauthenticateAck,
  type RealtimeAck,
  type TicketView,
} from '@helpdesk/contracts';
import { TestNatsServer, waitFor } from '@helpdesk/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { RealtimeReplica, TEST_SECRET_KEY, type TestClient } from '../testing/realtime-harness.js';
import { OVERLOADED_MESSAGE } from './connection-manager.js';

describe('connection management', () => {
  const tokens = new AccessTokens(TEST_SECRET_KEY);
  const shortLived = new AccessTokens(TEST_SECRET_KEY, 2);
  let tickets: TicketHarness;
  let replica: RealtimeReplica;
  let acme: { admin: Principal; agent: Principal };
  const extraReplicas: RealtimeReplica[] = [];

  beforeAll(async () => {
    tickets = await TicketHarness.start('connections');
    replica = await RealtimeReplica.start(tickets.nats.url);
    const { admin } = await tickets.signup('Acme');
    acme = { admin, agent: await tickets.addUser(admin.orgId, 'agent') };
  });

  afterAll(async () => {
    for (const extra of extraReplicas) await extra.stop();
    await replica?.stop();
    await tickets?.stop();
  });

  const startReplica = async (overrides: Record<string, string>) => {
    const started = await RealtimeReplica.start(tickets.nats.url, overrides);
    extraReplicas.push(started);
    return started;
  };
  const openTicket = (principal: Principal) => tickets.send<TicketView>(subjects.tickets.create, { principal, subject: 'Printer on fire', description: 'Smoke.' });
  const reauthenticate = (client: TestClient, token: unknown) =>
    client.socket.timeout(10_000).emitWithAck('session:reauthenticate', { token } as { token: string }) as Promise<ReauthenticateAck>;
  const join = (client: TestClient, ticketId: string) => client.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId }) as Promise<RealtimeAck>;

  describe('token expiry', () => {
    it('keeps a connection past its first token\'s expiry when the client re-authenticates in time', async () => {
      const renewed = await replica.connect(shortLived.sign(acme.agent));
      const control = await replica.connect(shortLived.sign(acme.agent));
      const controlClosed = control.disconnected();

      const reply = await reauthenticate(renewed, tokens.sign(acme.agent));
      expect(reply.ok).toBe(true);
      // Both first tokens expire at the same second: once the control is gone, the renewed one would have been too.
      expect(await controlClosed).toBe('io server disconnect');
      expect(control.received.map((entry) => entry.name)).toContain(SESSION_EXPIRED_EVENT);
      const ticket = await openTicket(acme.admin);
      await renewed.waitForEvent('ticket.created', (event) => event.aggregateId === ticket.id);
      expect(renewed.socket.connected).toBe(true);
      renewed.close();
    });

    it('refuses a token of another user, an invalid token or none, and keeps the old expiry', async () => {
      const client = await replica.connect(shortLived.sign(acme.agent));
      const closed = client.disconnected();
      expect(await reauthenticate(client, tokens.sign(acme.admin))).toEqual({ ok: false, error: 'FORBIDDEN' });
      expect(await reauthenticate(client, new AccessTokens('someone-elses-secret-key-0123456789').sign(acme.agent))).toEqual({ ok: false, error: 'UNAUTHORIZED' });
      expect(await reauthenticate(client, 42)).toEqual({ ok: false, error: 'VALIDATION' });
      expect(await closed).toBe('io server disconnect');
      expect(client.received.map((entry) => entry.name)).toContain(SESSION_EXPIRED_EVENT);
    });
  });

  it('closes a connection whose client sent nothing for the idle timeout, and keeps an active one', async () => {
    const idleReplica = await startReplica({ REALTIME_IDLE_TIMEOUT_MS: '2000' });
    const idle = await idleReplica.connect(tokens.sign(acme.agent));
    const active = await idleReplica.connect(tokens.sign(acme.agent));
    const idleClosed = idle.disconnected();
    // Leaving a ticket one never joined is harmless, and is traffic from the client.
    const keepAlive = setInterval(() => active.socket.emit('ticket:leave', { ticketId: randomUUID() }, () => undefined), 250);
    try {
      expect(await idleClosed).toBe('io server disconnect');
      expect(idle.received.map((entry) => entry.name)).toEqual([SESSION_IDLE_EVENT]);
      expect(active.socket.connected).toBe(true);
      expect(await idleReplica.metric('helpdesk_realtime_closed_connections_total', 'reason="idle"')).toBe(1);
    } finally {
      clearInterval(keepAlive);
      active.close();
    }
  });

  it('refuses new connections with a clear reason while the heap is above the threshold', async () => {
    const full = await startReplica({ REALTIME_MAX_HEAP_MB: '1' });
    const error = await full.refusalError({ token: tokens.sign(acme.agent) });
    expect(error.message).toBe(OVERLOADED_MESSAGE);
    expect(error.data).toEqual({ code: 'UNAVAILABLE' });
    expect(await full.metric('helpdesk_realtime_refused_connections_total', 'reason="overloaded"')).toBe(1);
    // Still alive and answering.
    expect((await fetch(`${full.url}/health/live`)).status).toBe(200);
  });

  it('removes rooms once their last socket has left', async () => {
    const quiet = await startReplica({});
    const ticket = await openTicket(acme.admin);
    const agent = await quiet.connect(tokens.sign(acme.agent));
    const admin = await quiet.connect(tokens.sign(acme.admin));
    await join(agent, ticket.id);
    await join(admin, ticket.id);
    // org, the two user rooms, the ticket.
    expect(await quiet.metric('helpdesk_realtime_rooms')).toBe(4);

    const leave = (client: TestClient) => client.socket.timeout(10_000).emitWithAck('ticket:leave', { ticketId: ticket.id });
    await leave(agent);
    expect(await quiet.metric('helpdesk_realtime_rooms')).toBe(4);
    await leave(admin);
    expect(await quiet.metric('helpdesk_realtime_rooms')).toBe(3);
    admin.close();
    agent.close();
    await waitFor('every room to be gone', async () => (await quiet.metric('helpdesk_realtime_rooms')) === 0);
    expect(await quiet.metric('helpdesk_realtime_connected_sockets')).toBe(0);
  });

  it('is not ready until its events consumer is attached', async () => {
    const nats = await TestNatsServer.start();
    // No ticket service here: nobody has created the events stream yet.
    const early = await RealtimeReplica.start(nats.url, {}, { waitForEvents: false });
    try {
      const notReady = await waitFor('readiness to answer', async () => {
        const probe = await early.ready();
        return probe.body.error?.events ? probe : undefined;
      });
      expect(notReady.status).toBe(503);

      const connection = await connect({ servers: nats.url });
      await (await jetstreamManager(connection)).streams.add({ name: EVENTS_STREAM, subjects: [`${EVENT_SUBJECT_PREFIX}.>`] });
      await connection.close();
      const ready = await waitFor('readiness with the consumer attached', async () => {
        const probe = await early.ready();
        return probe.status === 200 ? probe : undefined;
      });
      expect(ready.body.info?.events).toMatchObject({ status: 'up' });
    } finally {
      await early.stop();
      await nats.destroy();
    }
  });
});
