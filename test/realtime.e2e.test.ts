import { AccessTokens } from '@helpdesk/common';
import {
  REALTIME_EVENT_TYPES,
  SERVER_SHUTDOWN_EVENT,
  subjects,
  type CommentView,
  type EventEnvelope,
  type Principal,
  type RealtimeAck,
  type ReplayAck,
  type TicketPresence,
  type TicketView,
} from '@helpdesk/contracts';
import { deleteRedisKeys, SERVICE_SPECS, ServiceProcess, TcpBalancer, waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../apps/ticket/src/testing/ticket-harness.js';
import { connectClient, realtimeProcessEnv, TEST_SECRET_KEY, testQueuePrefix, type TestClient } from '../apps/realtime/src/testing/realtime-harness.js';

const realtimeSpec = SERVICE_SPECS.find((spec) => spec.name === 'realtime')!;
const tokens = new AccessTokens(TEST_SECRET_KEY);

/**
 * What a browser does on every (re)connection: join its tickets again, then ask for what it missed
 * since the last event it saw. It drops duplicates by event id, as the protocol says.
 */
class Browser {
  readonly tickets = new Set<string>();
  readonly replays: ReplayAck[] = [];
  readonly failures: unknown[] = [];
  private lastEventId?: string;

  constructor(readonly client: TestClient) {
    client.socket.onAny((name: string, payload: unknown) => {
      if ((REALTIME_EVENT_TYPES as readonly string[]).includes(name)) this.lastEventId = (payload as EventEnvelope).id;
    });
    client.socket.io.on('reconnect', () => void this.resume().catch((error: unknown) => this.failures.push(error)));
  }

  async join(ticketId: string): Promise<RealtimeAck> {
    this.tickets.add(ticketId);
    return (await this.client.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId })) as RealtimeAck;
  }

  /** How many times each comment arrived. */
  commentCopies(commentId: string): number {
    return this.client.events('comment.created').filter((event) => (event.data as { comment: CommentView }).comment.id === commentId).length;
  }

  private async resume(): Promise<void> {
    for (const ticketId of this.tickets) await this.client.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId });
    if (this.lastEventId) this.replays.push((await this.client.socket.timeout(20_000).emitWithAck('events:replay', { lastEventId: this.lastEventId })) as ReplayAck);
  }
}

describe('two realtime replicas as real processes behind a load balancer', () => {
  let tickets: TicketHarness;
  let replicas: ServiceProcess[] = [];
  let balancer: TcpBalancer;
  let queuePrefix: string;
  let env: Record<string, string>;
  let acme: { admin: Principal; agent: Principal; otherAgent: Principal; watcher: Principal; customer: Principal; manyTabs: Principal };
  const clients: TestClient[] = [];

  beforeAll(async () => {
    tickets = await TicketHarness.start('realtime-e2e');
    queuePrefix = testQueuePrefix();
    env = realtimeProcessEnv(tickets.nats.url, queuePrefix, { REALTIME_PRESENCE_TTL_MS: '3000' });
    replicas = await Promise.all([ServiceProcess.start(realtimeSpec, env), ServiceProcess.start(realtimeSpec, env)]);
    // Ready means the events consumer is attached: nothing published from now on is missed.
    await Promise.all(replicas.map((replica) => replica.waitUntilReady(60_000)));
    balancer = await TcpBalancer.start(replicas.map((replica) => replica.port));
    const { admin } = await tickets.signup('Acme');
    acme = {
      admin,
      agent: await tickets.addUser(admin.orgId, 'agent'),
      otherAgent: await tickets.addUser(admin.orgId, 'agent'),
      watcher: await tickets.addUser(admin.orgId, 'agent'),
      customer: await tickets.addUser(admin.orgId, 'customer'),
      manyTabs: await tickets.addUser(admin.orgId, 'agent'),
    };
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await balancer?.close();
    for (const replica of replicas) await replica.kill();
    await tickets?.stop();
    if (queuePrefix) await deleteRedisKeys(queuePrefix);
  });

  /** Through the balancer, with the client's automatic reconnection on (fast, for the test). */
  const browser = async (principal: Principal) => {
    const client = await connectClient(balancer.url, tokens.sign(principal), { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500, randomizationFactor: 0 });
    clients.push(client);
    return new Browser(client);
  };
  const connectedSockets = async (replica: ServiceProcess) => {
    const body = await replica.metrics();
    return Number(body.match(/^helpdesk_realtime_connected_sockets\{[^}]*\} (\d+)$/m)?.[1] ?? 0);
  };
  const comment = (principal: Principal, ticketId: string, body: string) =>
    tickets.send<CommentView>(subjects.comments.create, { principal, ticketId, body: `<p>${body}</p>`, internal: false });
  const viewers = (presence: TicketPresence) => (presence.scope === 'staff' ? presence.viewers.map((viewer) => viewer.userId).sort().join() : '');

  it('delivers each event exactly once to clients on both replicas, shares presence, and survives a replica killed with SIGKILL', async () => {
    // Round robin: connected one after the other, they alternate between the two replicas.
    const agent = await browser(acme.agent);
    const otherAgent = await browser(acme.otherAgent);
    const customer = await browser(acme.customer);
    const admin = await browser(acme.admin);
    expect(await Promise.all(replicas.map(connectedSockets))).toEqual([2, 2]);

    const ticket = await tickets.send<TicketView>(subjects.tickets.create, { principal: acme.customer, subject: 'Printer on fire', description: 'Smoke.' });
    for (const client of [agent, otherAgent, customer]) expect(await client.join(ticket.id)).toEqual({ ok: true });
    const everyone = [agent, otherAgent, customer, admin];

    const first = await comment(acme.agent, ticket.id, 'First');
    const second = await comment(acme.otherAgent, ticket.id, 'Second');
    for (const client of everyone) await client.client.waitForEvent('comment.created', (event) => (event.data as { comment: CommentView }).comment.id === second.id);
    // Each replica pushes in stream order: with the second comment in, any extra copy of the first would be too.
    for (const client of everyone) expect([client.commentCopies(first.id), client.commentCopies(second.id)]).toEqual([1, 1]);

    // Presence spans both replicas; a watcher connected straight to the first replica will die with it.
    const watcher = await connectClient(replicas[0]!.url, tokens.sign(acme.watcher));
    clients.push(watcher);
    expect(await watcher.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId: ticket.id })).toEqual({ ok: true });
    const staffViewing = [acme.agent, acme.otherAgent, acme.watcher, acme.customer].map((principal) => principal.userId).sort().join();
    await agent.client.waitForPresence(ticket.id, (presence) => viewers(presence) === staffViewing);
    await otherAgent.client.waitForPresence(ticket.id, (presence) => viewers(presence) === staffViewing);

    // The first replica dies; its clients' reconnections wait at the balancer while a comment is written.
    balancer.hold();
    await replicas[0]!.kill();
    const written = await comment(acme.otherAgent, ticket.id, 'Written while you were away');
    await otherAgent.client.waitForEvent('comment.created', (event) => (event.data as { comment: CommentView }).comment.id === written.id);
    balancer.release();

    // They land on the survivor, join again and get the missed comment from the replay.
    await waitFor('every browser back on the surviving replica', async () => (await connectedSockets(replicas[1]!)) === 4, 30_000, 100);
    for (const client of [agent, customer]) {
      // The replayed events come before the replay's answer.
      await waitFor('the replay answer', async () => client.replays.length > 0 || client.failures.length > 0, 20_000, 20);
      expect(client.failures).toEqual([]);
      expect(client.replays).toEqual([{ ok: true, replayed: expect.any(Number) }]);
      expect(client.commentCopies(written.id)).toBe(1);
    }
    const after = await comment(acme.agent, ticket.id, 'Back to normal');
    for (const client of everyone) await client.client.waitForEvent('comment.created', (event) => (event.data as { comment: CommentView }).comment.id === after.id);
    for (const client of everyone) expect([client.commentCopies(written.id), client.commentCopies(after.id)]).toEqual([1, 1]);

    // The dead replica never removed its viewers: the watcher's presence lapses by TTL, the reconnected agent's is back.
    const stillViewing = [acme.agent, acme.otherAgent, acme.customer].map((principal) => principal.userId).sort().join();
    await otherAgent.client.waitForPresence(ticket.id, (presence) => viewers(presence) === stillViewing, 20_000);
  }, 120_000);

  it('counts the connections of a replica killed with SIGKILL on the others until they lapse, then lets their user connect again', async () => {
    // A longer lapse than the others', so that "still counted right after the kill" holds on a slow machine.
    const doomed = await ServiceProcess.start(realtimeSpec, { ...env, REALTIME_PRESENCE_TTL_MS: '10000' });
    replicas.push(doomed);
    await doomed.waitUntilReady(60_000);
    const token = tokens.sign(acme.manyTabs);
    // REALTIME_MAX_CONNECTIONS_PER_USER is 10 by default.
    for (let tab = 0; tab < 10; tab += 1) clients.push(await connectClient(doomed.url, token));

    await doomed.kill();
    const survivor = replicas[1]!;
    const refusal = (await connectClient(survivor.url, token).then(
      () => undefined,
      (error: unknown) => error,
    )) as (Error & { data?: unknown }) | undefined;
    expect(refusal?.data).toEqual({ code: 'TOO_MANY_CONNECTIONS' });

    const admitted = await waitFor('a connection admitted once the dead replica\'s ones lapsed', async () => connectClient(survivor.url, token).catch(() => undefined), 30_000, 250);
    clients.push(admitted);
    expect(admitted.socket.connected).toBe(true);
  }, 90_000);

  it('on SIGTERM tells its clients to reconnect elsewhere and exits cleanly within the grace period', async () => {
    const survivor = replicas[1]!;
    const agent = await browser(acme.agent);
    const notice = new Promise<unknown>((resolve) => agent.client.socket.once(SERVER_SHUTDOWN_EVENT, resolve));
    survivor.signal('SIGTERM');
    expect(await notice).toEqual({ reconnect: true });
    // SHUTDOWN_GRACE_PERIOD_MS defaults to 10 s.
    expect(await survivor.exited(10_000)).toBe(0);
  });
});
