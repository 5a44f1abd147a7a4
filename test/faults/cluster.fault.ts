import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { connect } from '@nats-io/transport-node';
import { jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { EVENTS_STREAM, PRESENCE_EVENT, SERVER_SHUTDOWN_EVENT, type TicketPresence } from '@helpdesk/contracts';
import { ClusterTopology, freePort, startPgBouncer, TOPOLOGY_SERVICES, waitFor, type ServiceProcess } from '@helpdesk/testing';
import { FaultSmtpSink } from './smtp-sink.js';

/**
 * The clustered deployment (ClusterTopology: 3 NATS nodes with R3 streams, two replicas of every
 * service behind balancers, PgBouncer in transaction mode in front of PostgreSQL) under a steady stream of ticket creations and public replies, with
 * sockets connected and mail flowing:
 * 1. the NATS node leading the events stream is killed (SIGKILL), then started again;
 * 2. one replica of every service is killed at once (SIGKILL), then replaced;
 * 3. every service is rolled as Kubernetes does it (a new replica ready, then the old one out of the
 *    endpoints, its preStop sleep, SIGTERM), which must fail no request at all.
 * Afterwards every acknowledged ticket and reply has exactly one event, one push on every socket
 * (reconnected sockets replay what they missed) and one mail (one Message-ID: a mail in flight at a
 * notification replica's SIGKILL is sent again under the same one); SLA timers set before the kills fire
 * exactly once; presence follows a viewer whose replica died.
 */

const LOAD_WORKERS = 3;
/** Gateway answers to requests sent after a fault's injection + this long must all be 201 ("errors only for requests in flight at the kill"). */
const SETTLE_MS = 3_000;
/** Longest a request may be in flight (the load's own timeout): a request sent this long before a kill may still fail from it. */
const REQUEST_TIMEOUT_MS = 15_000;
/** The chart's preStopSleepSeconds, shortened: endpoints are removed at once here. */
const PRE_STOP_MS = 2_000;
const SLA_TICKETS = 4;

interface Outcome {
  kind: 'ticket' | 'comment';
  sentAt: number;
  at: number;
  status: number;
  body: string;
  ticketId?: string;
  requester?: string;
}

/** A staff socket behind the realtime balancer that does what the console does: reconnects, and replays what it missed. */
class DrillSocket {
  readonly socket: Socket;
  /**
   * Live receipts counted per connection (`<connection>/<id>`): one connection must never get an event
   * twice. After a reconnection a replica whose fan-out is further behind may push live again what the
   * earlier one did; the contract has clients drop that by id, so it is counted apart.
   */
  readonly live = new Map<string, number>();
  /** Every event id received live, on any connection. */
  readonly liveIds = new Set<string>();
  /** Events pushed live on more than one connection of this socket. */
  readonly liveAgain = new Set<string>();
  private connection = 0;
  readonly replayed = new Set<string>();
  reconnects = 0;
  replays = 0;
  /** What happened to the connection and when (Date.now()), for a failure report. */
  readonly history: Array<{ at: number; what: string }> = [];
  replayFailures: string[] = [];
  private lastEventId?: string;
  /** Replays under way: two reconnections in quick succession can overlap theirs. */
  private replaying = 0;

  constructor(url: string, token: string) {
    this.socket = io(url, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnectionDelay: 200, reconnectionDelayMax: 1_000 });
    let connectedBefore = false;
    this.socket.on('disconnect', (reason) => this.history.push({ at: Date.now(), what: `disconnected (${reason})` }));
    this.socket.on('connect', () => {
      this.connection += 1;
      this.history.push({ at: Date.now(), what: 'connected' });
      if (connectedBefore) {
        this.reconnects += 1;
        void this.replay();
      }
      connectedBefore = true;
    });
    this.socket.on(SERVER_SHUTDOWN_EVENT, () => {
      this.socket.disconnect();
      this.socket.connect();
    });
    for (const type of ['ticket.created', 'comment.created']) {
      this.socket.on(type, (envelope: { id: string }) => {
        if (this.replaying > 0) this.replayed.add(envelope.id);
        else {
          const key = `${this.connection}/${envelope.id}`;
          if (!this.live.has(key) && this.liveIds.has(envelope.id)) this.liveAgain.add(envelope.id);
          this.live.set(key, (this.live.get(key) ?? 0) + 1);
          this.liveIds.add(envelope.id);
        }
        // Replay continues after the last event received: arrival order is stream order.
        this.lastEventId = envelope.id;
      });
    }
  }

  /** Whether this socket got the event, live or replayed. */
  has(id: string): boolean {
    return this.liveIds.has(id) || this.replayed.has(id);
  }

  private async replay(): Promise<void> {
    // Fixed before the first attempt: live events arriving meanwhile must not move a retry past the gap.
    const since = this.lastEventId;
    if (!since) return;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      this.replaying += 1;
      const ack = await this.socket
        .timeout(15_000)
        .emitWithAck('events:replay', { lastEventId: since })
        .catch((error: Error) => ({ ok: false, error: error.message }));
      this.replaying -= 1;
      this.history.push({ at: Date.now(), what: `replay since ${since}: ${JSON.stringify(ack)}` });
      if (ack.ok) {
        this.replays += 1;
        return;
      }
      if (ack.error !== 'RATE_LIMITED' && ack.error !== 'UNAVAILABLE') return void this.replayFailures.push(String(ack.error));
      await new Promise((resolve) => setTimeout(resolve, ack.retryAfterMs ?? 1_000));
    }
    this.replayFailures.push('gave up');
  }
}

describe('the clustered topology under faults and a rolling restart', () => {
  let topology: ClusterTopology;
  let smtp: FaultSmtpSink;
  let admin: { token: string; orgId: string; userId: string };
  let agent: { token: string; userId: string };
  const sockets: DrillSocket[] = [];
  const outcomes: Outcome[] = [];
  const timeline: string[] = [];
  const faults: Array<{ what: string; at: number }> = [];
  /** performance.now() (the SMTP sink's clock) when a notification replica was killed. */
  let notificationKilledAt = Number.POSITIVE_INFINITY;
  const slaTickets: string[] = [];
  let loadRunning = false;
  let load: Promise<void>;
  const startedAt = Date.now();

  const note = (what: string) => timeline.push(`${String(Math.round((Date.now() - startedAt) / 1000)).padStart(4)} s  ${what}`);
  const fault = (what: string) => {
    faults.push({ what, at: Date.now() });
    note(what);
  };

  async function call(method: string, path: string, body?: unknown, token = admin.token): Promise<{ status: number; text: string; json: any }> {
    try {
      const response = await fetch(`${topology.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, text, json };
    } catch (error) {
      // A hang or a dropped connection: status 0.
      return { status: 0, text: String((error as Error).cause ?? error), json: undefined };
    }
  }

  async function worker(id: number): Promise<void> {
    let sequence = 0;
    while (loadRunning) {
      sequence += 1;
      const requester = `req-${id}-${sequence}-${randomBytes(3).toString('hex')}@customer.test`;
      const sentAt = Date.now();
      const created = await call('POST', '/api/v1/tickets', { subject: `Cluster drill ${id}.${sequence}`, description: 'The printer is jammed again.', requesterEmail: requester });
      outcomes.push({ kind: 'ticket', sentAt, at: Date.now(), status: created.status, body: created.text.slice(0, 300), ticketId: created.json?.id, requester });
      if (created.status === 201 && sequence % 2 === 0) {
        const replySentAt = Date.now();
        const reply = await call('POST', `/api/v1/tickets/${created.json.id}/comments`, { body: `We are on it (${id}.${sequence}).`, internal: false });
        outcomes.push({ kind: 'comment', sentAt: replySentAt, at: Date.now(), status: reply.status, body: reply.text.slice(0, 300), ticketId: created.json.id, requester });
      }
      await new Promise((resolve) => setTimeout(resolve, created.status === 201 ? 50 : 250));
    }
  }

  const succeededSince = (since: number) => outcomes.filter((outcome) => outcome.sentAt >= since && outcome.status === 201).length;

  /** Connects a socket through the realtime balancer pinned to one replica (the others out of its endpoints meanwhile). */
  async function socketOn(replica: ServiceProcess, token: string): Promise<DrillSocket> {
    const others = topology.realtime.endpoints.filter((port) => port !== replica.port);
    for (const port of others) topology.realtime.remove(port);
    try {
      const drill = new DrillSocket(topology.realtime.url, token);
      await waitFor('a socket to connect', async () => drill.socket.connected, 20_000);
      return drill;
    } finally {
      for (const port of others) topology.realtime.add(port);
    }
  }

  beforeAll(async () => {
    smtp = await FaultSmtpSink.start(await freePort());
    topology = await ClusterTopology.start({
      // PgBouncer 1.18 in transaction mode between the services and PostgreSQL: no named prepared statements through it.
      pooler: (postgres) => startPgBouncer({ databaseName: 'helpdesk', upstream: postgres, poolSize: 40 }),
      env: { LOG_LEVEL: 'warn', DB_PREPARED_STATEMENTS: 'false', EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(smtp.port), DEFAULT_FROM_EMAIL: 'Helpdesk <support@cluster.test>', REALTIME_REPLAY_COOLDOWN_MS: '1000', REALTIME_PRESENCE_TTL_MS: '6000' },
    });
    note('topology ready: 3 NATS nodes, PgBouncer (transaction mode), 2 replicas of every service');
    const signup = await fetch(`${topology.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Cluster Drill', name: 'Drill Admin', email: 'admin@cluster.test', password: 'correct horse battery staple' }),
    });
    const body = (await signup.json()) as any;
    admin = { token: body.accessToken, orgId: body.organization.id, userId: body.user.id };
    const database = new pg.Client({ host: '127.0.0.1', port: topology.postgres.port, user: 'postgres', database: 'helpdesk' });
    await database.connect();
    await database.query('UPDATE helpdesk.organizations SET email_verified_at = now() WHERE id = $1', [admin.orgId]);
    await database.end();
    const invited = await call('POST', '/api/v1/users', { name: 'Drill Agent', email: 'agent@cluster.test', role: 'agent', password: 'correct horse battery staple' });
    expect(invited.status, invited.text).toBe(201);
    const login = await call('POST', '/api/v1/auth/login', { email: 'agent@cluster.test', password: 'correct horse battery staple' });
    agent = { token: login.json.accessToken, userId: invited.json.id };
    // Urgent tickets breach after a minute (first response) and two (resolution): timers set before the kills, firing after.
    const policy = await call('POST', '/api/v1/sla-policies', { name: 'Drill urgent', priority: 'urgent', firstResponseMinutes: 1, resolutionMinutes: 2, businessHoursOnly: false });
    expect(policy.status, policy.text).toBe(201);

    // Two sockets on each realtime replica, so each replica's death and restart drops some.
    for (const replica of topology.of('realtime')) for (let i = 0; i < 2; i += 1) sockets.push(await socketOn(replica, admin.token));

    loadRunning = true;
    load = Promise.all(Array.from({ length: LOAD_WORKERS }, (_, id) => worker(id))).then(() => undefined);
    note('load started');
    await waitFor('the load to run', async () => succeededSince(0) >= 10, 30_000);
  }, 240_000);

  afterAll(async () => {
    loadRunning = false;
    await load;
    for (const drill of sockets) drill.socket.close();
    await topology?.destroy();
    await smtp?.stop();
  });

  it('keeps answering when the NATS node leading the events stream is killed, and takes it back', async () => {
    const leader = await topology.nats.streamLeader(EVENTS_STREAM);
    await leader.stop('SIGKILL');
    const killedAt = Date.now();
    fault(`NATS node ${leader.name} (events stream leader) killed (SIGKILL)`);
    const newLeader = await topology.nats.streamLeader(EVENTS_STREAM);
    note(`events stream leader now ${newLeader.name}`);
    expect(newLeader.name).not.toBe(leader.name);
    await waitFor('tickets created with a node down', async () => succeededSince(killedAt + SETTLE_MS) >= 10, 60_000);
    await leader.resume();
    note(`NATS node ${leader.name} started again`);
    await topology.nats.waitForJetStream();
    await waitFor('tickets created with the node back', async () => succeededSince(Date.now() - 1_000) >= 5, 60_000);
  }, 150_000);

  it('keeps answering when one replica of every service is killed; presence and SLA timers survive', async () => {
    // Tickets whose SLA timers were set by whichever ticket replica created them, before it may die.
    for (let i = 0; i < SLA_TICKETS; i += 1) {
      const created = await call('POST', '/api/v1/tickets', { subject: `SLA drill ${i}`, description: 'Urgent', priority: 'urgent', requesterEmail: `sla-${i}@customer.test` });
      expect(created.status, created.text).toBe(201);
      slaTickets.push(created.json.id);
    }
    // An agent viewing a ticket on the replica about to die, watched by the admin on the other one.
    const [doomed, surviving] = topology.of('realtime');
    const watched = slaTickets[0]!;
    const viewer = await socketOn(doomed!, agent.token);
    const watcher = await socketOn(surviving!, admin.token);
    const seen: TicketPresence[] = [];
    watcher.socket.on(PRESENCE_EVENT, (presence: TicketPresence) => seen.push(presence));
    const join = (drill: DrillSocket) => drill.socket.timeout(10_000).emitWithAck('ticket:join', { ticketId: watched });
    await join(watcher);
    await join(viewer);
    const viewersNow = () => {
      const last = seen.at(-1);
      return last?.scope === 'staff' ? last.viewers.map((user) => user.userId) : [];
    };
    await waitFor('the watcher to see the agent viewing', async () => viewersNow().includes(agent.userId), 20_000);

    const victims = TOPOLOGY_SERVICES.map((name) => (name === 'realtime' ? doomed! : topology.of(name)[0]!));
    const killedAt = Date.now();
    await Promise.all(victims.map((replica) => topology.kill(replica)));
    // The sink records a mail once it has parsed it, a moment after the SMTP transaction: a second's leeway.
    notificationKilledAt = performance.now() + 1_000;
    fault(`one replica of every service killed (SIGKILL): ${victims.map((replica) => `${replica.spec.name} pid ${replica.pid}`).join(', ')}`);
    await waitFor('the survivors to create tickets', async () => succeededSince(killedAt + SETTLE_MS) >= 10, 60_000);
    await waitFor('the viewer to reconnect to the surviving replica', async () => viewer.socket.connected && viewer.reconnects > 0, 30_000);
    await join(viewer);
    await waitFor('the watcher to see the agent viewing from the surviving replica', async () => viewersNow().includes(agent.userId), 30_000);
    // Once the agent leaves, nothing of its socket on the dead replica may linger: that entry lapses by its TTL.
    viewer.socket.close();
    await waitFor('the agent to leave the presence, the dead replica\'s entry lapsed', async () => seen.length > 0 && !viewersNow().includes(agent.userId), 30_000);
    note('presence: the agent followed from the dead replica to the survivor, and gone when it left');
    watcher.socket.close();

    await Promise.all(TOPOLOGY_SERVICES.map((name) => topology.startReplica(name)));
    note('killed replicas replaced (new ones ready)');
  }, 180_000);

  it('rolls every service as Kubernetes does without failing a single request', async () => {
    const rollStartedAt = Date.now();
    note('rolling restart started');
    // Every Deployment at once, as `helm upgrade` changes them all; within one, a replica at a time.
    await Promise.all(TOPOLOGY_SERVICES.map((name) => topology.roll(name, PRE_STOP_MS, note)));
    const rolledAt = Date.now();
    note('rolling restart done');
    await waitFor('requests sent after the roll', async () => succeededSince(rolledAt) >= 5, 30_000);
    const during = outcomes.filter((outcome) => outcome.sentAt >= rollStartedAt && outcome.sentAt <= rolledAt);
    const failed = during.filter((outcome) => outcome.status !== 201);
    console.log(`rolling restart: ${during.length} requests, ${failed.length} failed`, failed.slice(0, 10));
    if (failed.length > 0) console.log('slow commands:', topology.slowCommands());
    expect(during.length).toBeGreaterThan(50);
    expect(failed).toEqual([]);
    await waitFor('every socket to be connected again', async () => sockets.every((drill) => drill.socket.connected), 30_000);
    // Every socket's replica was replaced at least once, so each reconnected and replayed.
    for (const drill of sockets) {
      expect(drill.reconnects).toBeGreaterThan(0);
      expect(drill.replayFailures).toEqual([]);
    }
  }, 400_000);

  it('loses nothing and duplicates nothing: tickets, events, pushes on every socket, mails, SLA breaches', async () => {
    // SLA timers set before the kills fire (the resolution target two minutes after creation).
    const breachesOf = async () => (await readEvents(topology.nats.url, 'helpdesk.v1.events.ticket.sla.breached')).filter((event) => slaTickets.includes(event.aggregateId));
    await waitFor('the SLA breaches of the drill tickets', async () => (await breachesOf()).length >= SLA_TICKETS * 2, 150_000, 2_000).catch(() => undefined);
    loadRunning = false;
    await load;
    note('load stopped');

    const created = outcomes.filter((outcome) => outcome.kind === 'ticket' && outcome.status === 201);
    const replied = outcomes.filter((outcome) => outcome.kind === 'comment' && outcome.status === 201);
    const failed = outcomes.filter((outcome) => outcome.status !== 201);
    // A failed request is one in flight at a kill: sent at most REQUEST_TIMEOUT_MS before it, or within SETTLE_MS after.
    const outsideFaults = failed.filter((outcome) => !faults.some((entry) => outcome.sentAt >= entry.at - REQUEST_TIMEOUT_MS && outcome.sentAt <= entry.at + SETTLE_MS));
    const ticketIds = new Set(created.map((outcome) => outcome.ticketId!));

    const database = new pg.Client({ host: '127.0.0.1', port: topology.postgres.port, user: 'postgres', database: 'helpdesk' });
    await database.connect();
    const { rows } = await database.query<{ id: string }>('SELECT id FROM helpdesk.tickets WHERE id = ANY($1::uuid[])', [[...ticketIds]]);
    await database.end();
    const stored = new Set(rows.map((row) => row.id));

    let createdEvents: StreamEvent[] = [];
    await waitFor(
      'every acknowledged ticket to have its event',
      async () => {
        createdEvents = await readEvents(topology.nats.url, 'helpdesk.v1.events.ticket.created');
        const inStream = new Set(createdEvents.map((event) => event.aggregateId));
        return [...ticketIds].every((id) => inStream.has(id));
      },
      60_000,
      1_000,
    ).catch(() => undefined);
    const eventsPerTicket = new Map<string, number>();
    for (const event of createdEvents) eventsPerTicket.set(event.aggregateId, (eventsPerTicket.get(event.aggregateId) ?? 0) + 1);
    const orgEventIds = createdEvents.filter((event) => event.orgId === admin.orgId).map((event) => event.id);
    await waitFor('every socket to have every event', async () => sockets.every((drill) => orgEventIds.every((id) => drill.has(id))), 60_000).catch(() => undefined);

    // A mail is its Message-ID (stable per event, recipient and template): what the recipient's mailbox shows once.
    const copiesTo = (requester: string, prefix: string) => smtp.mails.filter((mail) => mail.to.includes(requester) && mail.subject.startsWith(prefix));
    const mailsTo = (requester: string, prefix: string) => new Set(copiesTo(requester, prefix).map((mail) => mail.messageId)).size;
    await waitFor(
      'every mail at the SMTP sink',
      async () => created.every((outcome) => mailsTo(outcome.requester!, 'We received') > 0) && replied.every((outcome) => mailsTo(outcome.requester!, 'Re:') > 0),
      120_000,
      1_000,
    ).catch(() => undefined);

    // SMTP acceptance and the delivery's `sent` mark cannot commit together: a replica killed between the two
    // leaves the mail to be sent again, by the survivor, with the same Message-ID. Only mails in flight at that kill.
    const resent = [...created.map((outcome) => copiesTo(outcome.requester!, 'We received')), ...replied.map((outcome) => copiesTo(outcome.requester!, 'Re:'))].filter((copies) => copies.length > 1);
    const breaches = await breachesOf();
    const breachesPerTarget = new Map<string, number>();
    for (const event of breaches) {
      const key = `${event.aggregateId} ${(event.data as { target: string }).target}`;
      breachesPerTarget.set(key, (breachesPerTarget.get(key) ?? 0) + 1);
    }

    const table = {
      'requests sent': outcomes.length,
      'tickets acknowledged (201)': created.length,
      'replies acknowledged (201)': replied.length,
      'failed (in flight at a kill)': failed.length,
      'failed outside the faults (must be 0)': outsideFaults.length,
      'lost tickets (must be 0)': [...ticketIds].filter((id) => !stored.has(id)).length,
      'ticket.created events': createdEvents.length,
      'lost events (must be 0)': [...ticketIds].filter((id) => !eventsPerTicket.has(id)).length,
      'duplicate events (must be 0)': [...eventsPerTicket.values()].filter((count) => count > 1).length,
      sockets: sockets.length,
      'socket reconnections': sockets.reduce((sum, drill) => sum + drill.reconnects, 0),
      'events replayed to sockets': sockets.reduce((sum, drill) => sum + drill.replayed.size, 0),
      'lost pushes, all sockets (must be 0)': sockets.reduce((sum, drill) => sum + orgEventIds.filter((id) => !drill.has(id)).length, 0),
      'duplicate live pushes on one connection (must be 0)': sockets.reduce((sum, drill) => sum + [...drill.live.values()].filter((count) => count > 1).length, 0),
      'pushed live again after a reconnection (dropped by id)': sockets.reduce((sum, drill) => sum + drill.liveAgain.size, 0),
      'confirmation mails': smtp.mails.filter((mail) => mail.subject.startsWith('We received')).length,
      'reply mails': smtp.mails.filter((mail) => mail.subject.startsWith('Re:')).length,
      'lost mails (must be 0)': created.filter((outcome) => mailsTo(outcome.requester!, 'We received') === 0).length + replied.filter((outcome) => mailsTo(outcome.requester!, 'Re:') === 0).length,
      'duplicate mails (must be 0)': created.filter((outcome) => mailsTo(outcome.requester!, 'We received') > 1).length + replied.filter((outcome) => mailsTo(outcome.requester!, 'Re:') > 1).length,
      'same mail resent after the SIGKILL (same Message-ID)': resent.length,
      'resent mails first accepted after the kill (must be 0)': resent.filter((copies) => copies[0]!.receivedAt > notificationKilledAt).length,
      'SLA breaches (2 per drill ticket)': breaches.length,
      'duplicate SLA breaches (must be 0)': [...breachesPerTarget.values()].filter((count) => count > 1).length,
    };
    console.log(`\ncluster drill timeline:\n${timeline.join('\n')}\n`);
    console.table(table);
    for (const [index, drill] of sockets.entries()) {
      const missing = createdEvents.filter((event) => event.orgId === admin.orgId && !drill.has(event.id));
      const doubled = [...drill.live.entries()].filter(([, count]) => count > 1).map(([key]) => key);
      if (missing.length) console.log(`socket ${index} history (s since start): ${drill.history.map((entry) => `${((entry.at - startedAt) / 1000).toFixed(1)} ${entry.what}`).join('; ')}; missing events published at ${missing.map((event) => `${((event.publishedAt - startedAt) / 1000).toFixed(1)} s (seq ${event.seq})`).join(', ')}`);
      console.log(`socket ${index}: ${doubled.length} live duplicates on one connection (first ${doubled.slice(0, 3).join(', ')}), ${drill.liveAgain.size} pushed live again after a reconnection, ${drill.reconnects} reconnects, ${drill.replays} replays, failures ${JSON.stringify(drill.replayFailures)}, missing ${missing.map((event) => `${event.id} (${event.aggregateId})`).join(', ') || 'none'}`);
    }
    for (const replica of topology.retired.filter((candidate) => candidate.spec.name === 'realtime')) {
      const twice = replica.output.split('\n').filter((line) => line.includes('delivered twice'));
      if (twice.length) console.log(`realtime pid ${replica.pid}: ${twice.at(-1)}`);
    }
    if (resent.length) console.log('resent mails (s after the notification kill):', resent.map((copies) => `${copies[0]!.to.join()} ${copies.map((copy) => ((copy.receivedAt - notificationKilledAt) / 1000).toFixed(1)).join(' and ')}`).join('\n'));
    if (failed.length) console.log('failed requests:', failed.map((outcome) => `${Math.round((outcome.sentAt - startedAt) / 1000)} s ${outcome.kind} ${outcome.status} ${outcome.body.slice(0, 120)}`).join('\n'));
    if (outsideFaults.length) console.log('slow commands:', topology.slowCommands().join('\n'));

    expect(created.length).toBeGreaterThan(100);
    expect(outsideFaults).toEqual([]);
    expect(table['lost tickets (must be 0)']).toBe(0);
    expect(table['lost events (must be 0)']).toBe(0);
    expect(table['duplicate events (must be 0)']).toBe(0);
    expect(table['lost pushes, all sockets (must be 0)']).toBe(0);
    expect(table['duplicate live pushes on one connection (must be 0)']).toBe(0);
    expect(table['lost mails (must be 0)']).toBe(0);
    expect(table['duplicate mails (must be 0)']).toBe(0);
    expect(table['resent mails first accepted after the kill (must be 0)']).toBe(0);
    expect([...breachesPerTarget.keys()].sort()).toEqual(slaTickets.flatMap((id) => [`${id} first_response`, `${id} resolution`]).sort());
    expect(table['duplicate SLA breaches (must be 0)']).toBe(0);
  }, 400_000);
});

interface StreamEvent {
  /** Stream sequence and the time (ms) JetStream stored it. */
  seq: number;
  publishedAt: number;
  id: string;
  orgId: string;
  aggregateId: string;
  data: unknown;
}

/** Every event of one subject in the stream, read with an ordered consumer. */
async function readEvents(url: string, subject: string): Promise<StreamEvent[]> {
  const connection = await connect({ servers: url.split(',') });
  try {
    const js = jetstream(connection);
    const info = await (await js.jetstreamManager()).streams.info(EVENTS_STREAM, { subjects_filter: subject });
    const total = Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
    const events: StreamEvent[] = [];
    if (total === 0) return events;
    const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    for await (const message of messages) {
      events.push({ ...message.json<StreamEvent>(), seq: message.seq, publishedAt: message.info.timestampNanos / 1_000_000 });
      if (events.length >= total) break;
    }
    return events;
  } finally {
    await connection.close();
  }
}
