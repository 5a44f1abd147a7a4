import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { REDIS_CLIENT } from '@helpdesk/common';
import type { Redis } from 'ioredis';
import type { ExtendedError } from 'socket.io';
import { RealtimeConfig } from '../realtime.config.js';
import { RealtimeMetrics } from './realtime-metrics.js';
import { refusal } from './session-auth.js';
import type { RealtimeSocket } from './socket-types.js';

export const TOO_MANY_CONNECTIONS_MESSAGE = 'Too many connections are open for this user: close another tab or window first';

const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * Drops the lapsed members, then adds this one if fewer than the cap remain: one atomic step, so
 * parallel handshakes on several replicas cannot all slip under the cap.
 * KEYS[1] the user's set; ARGV: now, lapse time, cap, member, key TTL (ms).
 */
const ACQUIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/**
 * The per-user connection cap, held across replicas: each open socket is a member of its user's
 * Redis sorted set, scored by the time it lapses. The replica holding the socket refreshes its
 * members every third of REALTIME_PRESENCE_TTL_MS and removes each when its transport closes (on
 * shutdown too: every socket is sent away first); a replica that dies stops refreshing, so its
 * connections stop counting after the TTL.
 * Hand-written rather than redis-semaphore: that library runs a timer and a Redis round trip per
 * socket to refresh each lock, where one pipelined heartbeat per replica refreshes them all.
 */
@Injectable()
export class ConnectionCap implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConnectionCap.name);
  /** This replica's counted sockets: socket id to user id. */
  private readonly held = new Map<string, string>();
  private readonly prefix: string;
  private heartbeat?: NodeJS.Timeout;
  private lastOutageLog = 0;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(RealtimeConfig) private readonly config: RealtimeConfig,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
  ) {
    this.prefix = `${config.QUEUE_PREFIX}:realtime:connections`;
  }

  onModuleInit(): void {
    this.heartbeat = setInterval(() => void this.refresh(), Math.floor(this.config.REALTIME_PRESENCE_TTL_MS / 3));
    this.heartbeat.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.heartbeat);
  }

  /** Socket.IO middleware, after authentication: admits the connection if its user has fewer than the cap open. */
  admission() {
    return (socket: RealtimeSocket, next: (error?: ExtendedError) => void): void => {
      void this.acquire(socket).then((admitted) => {
        if (admitted) return next();
        this.metrics.refusedConnections.inc({ reason: 'too_many_connections' });
        next(refusal(TOO_MANY_CONNECTIONS_MESSAGE, 'TOO_MANY_CONNECTIONS'));
      });
    };
  }

  release(socketId: string): void {
    const userId = this.held.get(socketId);
    if (userId === undefined) return;
    this.held.delete(socketId);
    this.redis.zrem(this.key(userId), socketId).catch((error: unknown) => this.warn(error));
  }

  private async acquire(socket: RealtimeSocket): Promise<boolean> {
    const { userId } = socket.data.principal;
    const now = Date.now();
    const ttl = this.config.REALTIME_PRESENCE_TTL_MS;
    try {
      const admitted = await this.redis.eval(ACQUIRE_SCRIPT, 1, this.key(userId), now, now + ttl, this.config.REALTIME_MAX_CONNECTIONS_PER_USER, socket.id, ttl * 2);
      if (admitted !== 1) return false;
    } catch (error) {
      // Fails open, as the gateway's hourly limits do: Redis down must not take realtime down. The heartbeat counts the socket once Redis is back.
      this.warn(error);
    }
    this.held.set(socket.id, userId);
    // The transport, not the socket's disconnect: a client that goes away during the rest of the handshake never becomes a connection.
    socket.conn.once('close', () => this.release(socket.id));
    return true;
  }

  private async refresh(): Promise<void> {
    if (this.held.size === 0) return;
    const lapse = Date.now() + this.config.REALTIME_PRESENCE_TTL_MS;
    const batch = this.redis.multi();
    const users = new Set<string>();
    for (const [socketId, userId] of this.held) {
      batch.zadd(this.key(userId), lapse, socketId);
      users.add(userId);
    }
    // The key outlives its members a little, so a user with no connection left leaves nothing behind.
    for (const userId of users) batch.pexpire(this.key(userId), this.config.REALTIME_PRESENCE_TTL_MS * 2);
    await batch.exec().catch((error: unknown) => this.warn(error));
  }

  private key(userId: string): string {
    return `${this.prefix}:${userId}`;
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastOutageLog < OUTAGE_LOG_INTERVAL_MS) return;
    this.lastOutageLog = Date.now();
    this.logger.warn(`Connection cap not enforced while Redis is unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
}
