import { loadConfig, startService, type RunningService } from '@helpdesk/common';
import {
  PRESENCE_EVENT,
  REALTIME_PATH,
  type ClientToServerEvents,
  type EventEnvelope,
  type RealtimeEventType,
  type ServerToClientEvents,
  type TicketPresence,
} from '@helpdesk/contracts';
import { deleteRedisKeys, freePort, waitFor } from '@helpdesk/testing';
import { withGlobal, type Clock as FakeClock } from '@sinonjs/fake-timers';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { EventFanout } from '../events/event-fanout.service.js';
import { realtimeApp } from '../realtime.app.js';
import { RealtimeConfig } from '../realtime.config.js';
import { Clock } from '../sockets/clock.js';

export const TEST_SECRET_KEY = 'realtime-test-secret-0123456789abcdef';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A fresh Redis namespace, for replicas that must share presence (pass it as QUEUE_PREFIX to each). */
export const testQueuePrefix = () => `test-realtime-${randomBytes(4).toString('hex')}`;

/** The environment of a built realtime process in the end-to-end tests, on the ticket harness's NATS. */
export function realtimeProcessEnv(natsUrl: string, queuePrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: natsUrl,
    SECRET_KEY: TEST_SECRET_KEY,
    QUEUE_PREFIX: queuePrefix,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379/0',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    EVENTS_STREAM_RETRY_MS: '100',
    ...extra,
  };
}

/** A real Socket.IO client that remembers every event it received, in order. */
export class TestClient {
  readonly received: Array<{ name: string; payload: unknown }> = [];

  constructor(readonly socket: ClientSocket) {
    socket.onAny((name: string, payload: unknown) => this.received.push({ name, payload }));
  }

  /** The envelopes of one type received so far. */
  events(type: RealtimeEventType): EventEnvelope[] {
    return this.received.filter((entry) => entry.name === type).map((entry) => entry.payload as EventEnvelope);
  }

  /** Waits for an event of this type whose envelope matches. */
  waitForEvent(type: RealtimeEventType, matches: (event: EventEnvelope) => boolean, timeoutMs = 10_000): Promise<EventEnvelope> {
    return waitFor(`${type} on socket ${this.socket.id}`, async () => this.events(type).find(matches), timeoutMs, 20);
  }

  /** The last presence received for a ticket. */
  presence(ticketId: string): TicketPresence | undefined {
    return this.received
      .filter((entry) => entry.name === PRESENCE_EVENT)
      .map((entry) => entry.payload as TicketPresence)
      .findLast((presence) => presence.ticketId === ticketId);
  }

  /** Waits until some presence received for the ticket matched, even if a later one replaced it (a short-lived state). */
  waitForPresenceSeen(ticketId: string, matches: (presence: TicketPresence) => boolean, timeoutMs = 10_000): Promise<TicketPresence> {
    return waitFor(
      `a matching presence of ${ticketId} on socket ${this.socket.id}`,
      async () =>
        this.received
          .filter((entry) => entry.name === PRESENCE_EVENT)
          .map((entry) => entry.payload as TicketPresence)
          .find((presence) => presence.ticketId === ticketId && matches(presence)),
      timeoutMs,
      20,
    );
  }

  /** Waits until the last presence received for the ticket matches. */
  waitForPresence(ticketId: string, matches: (presence: TicketPresence) => boolean, timeoutMs = 10_000): Promise<TicketPresence> {
    return waitFor(
      `presence of ${ticketId} on socket ${this.socket.id} (last: ${JSON.stringify(this.presence(ticketId))})`,
      async () => {
        const presence = this.presence(ticketId);
        return presence && matches(presence) ? presence : undefined;
      },
      timeoutMs,
      20,
    );
  }

  /** Resolves with the reason of the next disconnect. */
  disconnected(): Promise<string> {
    return new Promise((resolve) => this.socket.once('disconnect', (reason) => resolve(reason)));
  }

  close(): void {
    this.socket.close();
  }
}

/** A Socket.IO client as a browser would open it (WebSocket only); reconnection off unless asked for. */
export function openSocket(url: string, auth: Record<string, unknown>, options: Partial<ManagerOptions & SocketOptions> = {}): ClientSocket {
  return io(url, { path: REALTIME_PATH, transports: ['websocket'], auth, reconnection: false, forceNew: true, ...options });
}

/** Connects, or rejects with the server's connect_error. */
export function connectClient(url: string, token: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<TestClient> {
  const socket = openSocket(url, { token }, options);
  return new Promise((resolve, reject) => {
    // Only the first outcome: a later connect_error belongs to a reconnection, which the client retries.
    const refused = (error: Error) => {
      socket.off('connect', connected);
      socket.close();
      reject(error);
    };
    const connected = () => {
      socket.off('connect_error', refused);
      resolve(new TestClient(socket));
    };
    socket.once('connect', connected);
    socket.once('connect_error', refused);
  });
}

/** One realtime replica in this process, on a free port of the given NATS. */
export class RealtimeReplica {
  private readonly clients: ClientSocket[] = [];
  private fakeClock?: FakeClock;

  private constructor(
    readonly service: RunningService,
    readonly config: RealtimeConfig,
    /** A prefix passed in is shared with other replicas: whoever passed it deletes its keys. */
    private readonly ownsQueuePrefix: boolean,
  ) {}

  /** Starts a replica; unless `waitForEvents` is false, resolves once its events consumer is attached. */
  static async start(natsUrl: string, overrides: Record<string, string> = {}, { waitForEvents = true } = {}): Promise<RealtimeReplica> {
    const config = loadConfig(RealtimeConfig, {
      NATS_URL: natsUrl,
      HOST: '127.0.0.1',
      REALTIME_PORT: String(await freePort()),
      METRICS_PORT: '0',
      SECRET_KEY: TEST_SECRET_KEY,
      QUEUE_PREFIX: testQueuePrefix(),
      LOG_LEVEL: 'error',
      EVENTS_STREAM_RETRY_MS: '50',
      REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379/0',
      ...overrides,
    });
    const service = await startService(realtimeApp, config, { logStream: new PassThrough() });
    // Events published before this replica's consumer exists are not pushed: tests start after it.
    if (waitForEvents) await service.app.get(EventFanout).ready;
    return new RealtimeReplica(service, config, overrides.QUEUE_PREFIX === undefined);
  }

  get url(): string {
    return `http://127.0.0.1:${this.config.REALTIME_PORT}`;
  }

  /** Where Prometheus scrapes this service: its internal metrics port. */
  get metricsUrl(): string {
    return `http://127.0.0.1:${this.service.metricsPort}/metrics`;
  }

  /** A connected client, or a rejection with the server's connect_error message. */
  async connect(token: string): Promise<TestClient> {
    const client = await connectClient(this.url, token);
    this.clients.push(client.socket);
    return client;
  }

  /**
   * From now on this replica's connection clock (token expiry, idle timeout, replay cooldown) moves
   * only by hand: `tick(ms)` runs what falls due, at once. Only this clock: sockets, NATS and Redis keep real time.
   */
  useFakeClock(): FakeClock {
    this.fakeClock ??= withGlobal(this.service.app.get(Clock) as never).install({ now: Date.now(), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    return this.fakeClock;
  }

  /** The connect_error a handshake with this auth gets (fails if it connects). */
  async refusal(auth: Record<string, unknown>): Promise<string> {
    return (await this.refusalError(auth)).message;
  }

  async refusalError(auth: Record<string, unknown>): Promise<Error & { data?: { code?: string } }> {
    const socket = openSocket(this.url, auth);
    this.clients.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the connection was accepted')));
      socket.once('connect_error', (error) => resolve(error as Error & { data?: { code?: string } }));
    });
  }

  async metrics(): Promise<string> {
    const response = await fetch(this.metricsUrl);
    return response.text();
  }

  /** The value of one unlabelled-by-us metric (the service label aside), or of the series matching `labels`. */
  async metric(name: string, labels = ''): Promise<number> {
    const line = (await this.metrics()).split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(labels));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  async ready(): Promise<{ status: number; body: { info?: Record<string, unknown>; error?: Record<string, { message?: string }> } }> {
    const response = await fetch(`${this.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as { error?: Record<string, { message?: string }> } };
  }

  /** Resolves with the exit code the process would use (0: stopped cleanly). */
  async stop(): Promise<number> {
    // Clients still connected see the shutdown as a real client would.
    const code = await this.service.shutdown('test end');
    this.fakeClock?.uninstall();
    for (const socket of this.clients) socket.close();
    if (this.ownsQueuePrefix) await deleteRedisKeys(this.config.QUEUE_PREFIX);
    return code;
  }
}
