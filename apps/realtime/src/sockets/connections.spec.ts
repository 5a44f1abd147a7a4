import { AccessTokens } from '@helpdesk/common';
import {
  EVENT_SUBJECT_PREFIX,
  EVENTS_STREAM,
  SESSION_EXPIRED_EVENT,
  SESSION_IDLE_EVENT,
  SESSION_REVOKED_EVENT,
  subjects,
  type Principal,
  type ReauthenticateAck,
  type RealtimeAck,
  type TicketView,
} from '@helpdesk/contracts';
import { TestNatsServer, waitFor } from '@helpdesk/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Clock as FakeClock } from '@sinonjs/fake-timers';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { RealtimeReplica, TEST_SECRET_KEY, type TestClient } from '../testing/realtime-harness.js';
import { UNKNOWN_ACCOUNT } from '../../../ticket/src/users/principal-verifier.js';
import { OVERLOADED_MESSAGE } from './connection-manager.js';
import { ACCOUNT_UNCHECKED_MESSAGE } from './session-auth.js';

describe('connection management', () => {
  const tokens = new AccessTokens(TEST_SECRET_KEY);
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
  // Leaving a ticket one never joined is harmless, and is traffic from the client.
  const leave = (client: TestClient) => client.socket.timeout(10_000).emitWithAck('ticket:leave', { ticketId: randomUUID() }) as Promise<RealtimeAck>;

  describe('token expiry', () => {
    let expiring: RealtimeReplica;
    let clock: FakeClock;
    // A replica and clock per test: a clock one test moved to its token's expiry would already be past the expiry of a
    // token the next test signs in the same wall-clock second.
    beforeEach(async () => {
      expiring = await startReplica({});
      clock = expiring.useFakeClock();
    });
    /** Moves the replica's clock to just before, or to, the expiry of the token. */
    const moveTo = (token: string, offsetMs: number) => clock.tick(tokens.verify(token).expiresAt.getTime() - clock.now + offsetMs);

    it('keeps a connection past its first token\'s expiry when the client re-authenticates in time', async () => {
      const firstToken = tokens.sign(acme.agent);
      const renewed = await expiring.connect(firstToken);
      const control = await expiring.connect(firstToken);
      const controlClosed = control.disconnected();

      const reply = await reauthenticate(renewed, new AccessTokens(TEST_SECRET_KEY, 3_600).sign(acme.agent));
      expect(reply).toEqual({ ok: true, expiresAt: expect.any(String) });
      moveTo(firstToken, 0);

      expect(await controlClosed).toBe('io server disconnect');
      expect(control.received.map((entry) => entry.name)).toContain(SESSION_EXPIRED_EVENT);
      const ticket = await openTicket(acme.admin);
      await renewed.waitForEvent('ticket.created', (event) => event.aggregateId === ticket.id);
      expect(renewed.socket.connected).toBe(true);
      renewed.close();
    });

    it('refuses a token of another user, an invalid token or none, and keeps the old expiry', async () => {
      const token = tokens.sign(acme.agent);
      const client = await expiring.connect(token);
      const closed = client.disconnected();
      expect(await reauthenticate(client, tokens.sign(acme.admin))).toEqual({ ok: false, error: 'FORBIDDEN' });
      expect(await reauthenticate(client, new AccessTokens('someone-elses-secret-key-0123456789').sign(acme.agent))).toEqual({ ok: false, error: 'UNAUTHORIZED' });
      expect(await reauthenticate(client, 42)).toEqual({ ok: false, error: 'VALIDATION' });

      moveTo(token, -1);
      expect(await leave(client)).toEqual({ ok: true });
      moveTo(token, 0);
      expect(await closed).toBe('io server disconnect');
      expect(client.received.map((entry) => entry.name)).toContain(SESSION_EXPIRED_EVENT);
    });
  });

  describe('account re-check with the ticket service', () => {
    const deactivate = (principal: Principal) => tickets.send(subjects.users.deactivate, { principal: acme.admin, userId: principal.userId });
    const changeRole = (principal: Principal, role: Principal['role']) => tickets.send(subjects.users.update, { principal: acme.admin, userId: principal.userId, changes: { role } });
    /** The change without its event, as when this replica missed it: only the handshake and renewal re-checks can notice. */
    const changeUnannounced = (principal: Principal, change: { active: false } | { role: Principal['role'] }) =>
      'active' in change
        ? tickets.dataSource.query('UPDATE helpdesk.users SET active = false WHERE id = $1', [principal.userId])
        : tickets.dataSource.query('UPDATE helpdesk.users SET role = $2 WHERE id = $1', [principal.userId, change.role]);

    it('refuses the handshake of a deactivated user whose token is still valid', async () => {
      const leaver = await tickets.addUser(acme.admin.orgId, 'agent');
      const token = tokens.sign(leaver);
      await deactivate(leaver);

      const refusal = await replica.refusalError({ token });
      expect(refusal.message).toBe(UNKNOWN_ACCOUNT);
      expect(refusal.data).toEqual({ code: 'UNAUTHORIZED' });
    });

    it('puts a socket in the rooms of the user\'s current role, not of the role in its token', async () => {
      const demoted = await tickets.addUser(acme.admin.orgId, 'agent');
      const staleToken = tokens.sign(demoted);
      await changeUnannounced(demoted, { role: 'customer' });
      const client = await replica.connect(staleToken);

      await openTicket(acme.admin);
      const own = await openTicket({ ...demoted, role: 'customer' });
      // Pushed in stream order on one socket: had the first reached it, it would be there already.
      await client.waitForEvent('ticket.created', (event) => event.aggregateId === own.id);
      expect(client.events('ticket.created').map((event) => event.aggregateId)).toEqual([own.id]);
      client.close();
    });

    it('ends every connection of a user at once when the user is deactivated, without waiting for a renewal; no internal note reaches it after', async () => {
      const leaver = await tickets.addUser(acme.admin.orgId, 'agent');
      const first = await replica.connect(tokens.sign(leaver));
      const second = await replica.connect(tokens.sign(leaver));
      const bystander = await replica.connect(tokens.sign(acme.agent));
      const closed = [first.disconnected(), second.disconnected()];

      await deactivate(leaver);

      expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);
      const ticket = await openTicket(acme.admin);
      const note = await tickets.send<{ id: string }>(subjects.comments.create, { principal: acme.agent, ticketId: ticket.id, body: '<p>Internal only</p>', internal: true });
      await bystander.waitForEvent('comment.created', (event) => (event.data as { comment: { id: string } }).comment.id === note.id);
      expect(first.received.map((entry) => entry.name)).toEqual([SESSION_REVOKED_EVENT]);
      expect(second.received.map((entry) => entry.name)).toEqual([SESSION_REVOKED_EVENT]);
      bystander.close();
    });

    it('ends the connections of an agent made a customer at once, and leaves a renamed agent connected', async () => {
      const demoted = await tickets.addUser(acme.admin.orgId, 'agent');
      const renamed = await tickets.addUser(acme.admin.orgId, 'agent');
      const demotedClient = await replica.connect(tokens.sign(demoted));
      const renamedClient = await replica.connect(tokens.sign(renamed));
      const closed = demotedClient.disconnected();

      await tickets.send(subjects.users.update, { principal: acme.admin, userId: renamed.userId, changes: { name: 'Still An Agent' } });
      await changeRole(demoted, 'customer');

      expect(await closed).toBe('io server disconnect');
      expect(demotedClient.received.map((entry) => entry.name)).toEqual([SESSION_REVOKED_EVENT]);
      const ticket = await openTicket(acme.admin);
      await renamedClient.waitForEvent('ticket.created', (event) => event.aggregateId === ticket.id);
      expect(renamedClient.socket.connected).toBe(true);
      renamedClient.close();
    });

    it('ends the connection when a renewal finds the user deactivated (the deactivation event missed)', async () => {
      const leaver = await tickets.addUser(acme.admin.orgId, 'agent');
      const client = await replica.connect(tokens.sign(leaver));
      const closed = client.disconnected();
      await changeUnannounced(leaver, { active: false });

      expect(await reauthenticate(client, tokens.sign(leaver))).toEqual({ ok: false, error: 'UNAUTHORIZED' });
      expect(await closed).toBe('io server disconnect');
      expect(client.received.map((entry) => entry.name)).toEqual([SESSION_REVOKED_EVENT]);
    });

    it('ends the connection when a renewal finds the user\'s role changed (the event missed); connected again, a demoted agent gets no internal note', async () => {
      const demoted = await tickets.addUser(acme.admin.orgId, 'agent');
      const client = await replica.connect(tokens.sign(demoted));
      const closed = client.disconnected();
      await changeUnannounced(demoted, { role: 'customer' });
      const asCustomer: Principal = { ...demoted, role: 'customer' };

      expect(await reauthenticate(client, tokens.sign(asCustomer))).toEqual({ ok: false, error: 'FORBIDDEN' });
      expect(await closed).toBe('io server disconnect');
      expect(client.received.map((entry) => entry.name)).toEqual([SESSION_REVOKED_EVENT]);

      const again = await replica.connect(tokens.sign(asCustomer));
      const ticket = await openTicket(acme.admin);
      await tickets.send(subjects.comments.create, { principal: acme.agent, ticketId: ticket.id, body: '<p>Internal only</p>', internal: true });
      const own = await openTicket(asCustomer);
      await again.waitForEvent('ticket.created', (event) => event.aggregateId === own.id);
      expect(again.received.map((entry) => entry.name)).toEqual(['ticket.created']);
      again.close();
    });

    it('refuses the handshake as UNAVAILABLE while no ticket service can answer', async () => {
      const nats = await TestNatsServer.start();
      const alone = await RealtimeReplica.start(nats.url, {}, { waitForEvents: false });
      try {
        const refusal = await alone.refusalError({ token: tokens.sign(acme.agent) });
        expect(refusal.message).toBe(ACCOUNT_UNCHECKED_MESSAGE);
        expect(refusal.data).toEqual({ code: 'UNAVAILABLE' });
      } finally {
        await alone.stop();
        await nats.destroy();
      }
    });
  });

  it('closes a connection whose client sent nothing for the idle timeout, and keeps an active one', async () => {
    const idleReplica = await startReplica({ REALTIME_IDLE_TIMEOUT_MS: '60000' });
    const clock = idleReplica.useFakeClock();
    const idle = await idleReplica.connect(tokens.sign(acme.agent));
    const active = await idleReplica.connect(tokens.sign(acme.agent));
    const idleClosed = idle.disconnected();

    clock.tick(59_000);
    expect(await leave(active)).toEqual({ ok: true });
    clock.tick(1_000);

    expect(await idleClosed).toBe('io server disconnect');
    expect(idle.received.map((entry) => entry.name)).toEqual([SESSION_IDLE_EVENT]);
    expect(await leave(active)).toEqual({ ok: true });
    expect(await idleReplica.metric('helpdesk_realtime_closed_connections_total', 'reason="idle"')).toBe(1);
    active.close();
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
