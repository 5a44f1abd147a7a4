import { loadConfig, startService, type RunningService } from '@helpdesk/common';
import { REALTIME_PATH, type ClientToServerEvents, type EventEnvelope, type RealtimeEventType, type ServerToClientEvents } from '@helpdesk/contracts';
import { deleteRedisKeys, freePort, waitFor } from '@helpdesk/testing';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { io, type Socket } from 'socket.io-client';
import { EventFanout } from '../events/event-fanout.service.js';
import { realtimeApp } from '../realtime.app.js';
import { RealtimeConfig } from '../realtime.config.js';

export const TEST_SECRET_KEY = 'realtime-test-secret-0123456789abcdef';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

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
  waitForEvent(type: RealtimeEventType, matches: (event: EventEnvelope) => boolean): Promise<EventEnvelope> {
    return waitFor(`${type} on socket ${this.socket.id}`, async () => this.events(type).find(matches), 10_000, 20);
  }

  close(): void {
    this.socket.close();
  }
}

function openSocket(url: string, auth: Record<string, unknown>): ClientSocket {
  return io(url, { path: REALTIME_PATH, transports: ['websocket'], auth, reconnection: false, forceNew: true });
}

/** One realtime replica in this process, on a free port of the given NATS. */
export class RealtimeReplica {
  private readonly clients: ClientSocket[] = [];

  private constructor(
    readonly service: RunningService,
    readonly config: RealtimeConfig,
  ) {}

  static async start(natsUrl: string, overrides: Record<string, string> = {}): Promise<RealtimeReplica> {
    const config = loadConfig(RealtimeConfig, {
      NATS_URL: natsUrl,
      HOST: '127.0.0.1',
      REALTIME_PORT: String(await freePort()),
      SECRET_KEY: TEST_SECRET_KEY,
      QUEUE_PREFIX: `test-realtime-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'error',
      EVENTS_STREAM_RETRY_MS: '50',
      REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379/0',
      ...overrides,
    });
    const service = await startService(realtimeApp, config, { logStream: new PassThrough() });
    // Events published before this replica's consumer exists are not pushed: tests start after it.
    await service.app.get(EventFanout).ready;
    return new RealtimeReplica(service, config);
  }

  get url(): string {
    return `http://127.0.0.1:${this.config.REALTIME_PORT}`;
  }

  /** A connected client, or a rejection with the server's connect_error message. */
  connect(token: string): Promise<TestClient> {
    const socket = openSocket(this.url, { token });
    this.clients.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new TestClient(socket)));
      socket.once('connect_error', (error) => reject(error));
    });
  }

  /** The connect_error message a handshake with this auth gets (fails if it connects). */
  async refusal(auth: Record<string, unknown>): Promise<string> {
    const socket = openSocket(this.url, auth);
    this.clients.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the connection was accepted')));
      socket.once('connect_error', (error) => resolve(error.message));
    });
  }

  async metrics(): Promise<string> {
    const response = await fetch(`${this.url}/metrics`);
    return response.text();
  }

  /** Resolves with the exit code the process would use (0: stopped cleanly). */
  async stop(): Promise<number> {
    // Clients still connected see the shutdown as a real client would.
    const code = await this.service.shutdown('test end');
    for (const socket of this.clients) socket.close();
    await deleteRedisKeys(this.config.QUEUE_PREFIX);
    return code;
  }
}
