import { Inject, Injectable } from '@nestjs/common';
import { SESSION_EXPIRED_EVENT, SESSION_IDLE_EVENT, SESSION_RATE_LIMITED_EVENT, SESSION_REVOKED_EVENT } from '@helpdesk/contracts';
import type { ExtendedError } from 'socket.io';
import { getHeapStatistics } from 'node:v8';
import { RealtimeConfig } from '../realtime.config.js';
import { Clock } from './clock.js';
import { ConnectionCap } from './connection-cap.js';
import { MessageRateLimit } from './message-rate-limit.js';
import { RealtimeMetrics } from './realtime-metrics.js';
import { refusal } from './session-auth.js';
import type { RealtimeSocket } from './socket-types.js';

export const OVERLOADED_MESSAGE = 'This server is at its memory limit: connect again later or to another server';

/** The default heap threshold, as a share of the V8 heap limit: room left to serve the sockets already open. */
const DEFAULT_HEAP_SHARE = 0.85;
/** setTimeout holds at most 2^31-1 ms; an access token never lives that long, but a misconfigured TTL might. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why the server ends a connection; each has its notice, sent just before. */
export type EndReason = 'idle' | 'expired' | 'revoked' | 'rate_limited';

const END_NOTICES = {
  idle: SESSION_IDLE_EVENT,
  expired: SESSION_EXPIRED_EVENT,
  revoked: SESSION_REVOKED_EVENT,
  rate_limited: SESSION_RATE_LIMITED_EVENT,
} as const satisfies Record<EndReason, string>;

interface SocketTimers {
  expiry: NodeJS.Timeout;
  idle: NodeJS.Timeout;
}

/**
 * Admission and lifetime of connections, and the limits on what one may do: refuses handshakes
 * while the heap is above the threshold or past the user's connection cap, limits each socket's
 * message rate and replays, ends a connection when its access token expires (unless renewed), when
 * its client has sent nothing for REALTIME_IDLE_TIMEOUT_MS, or when a renewal revoked it.
 */
@Injectable()
export class ConnectionManager {
  readonly maxHeapBytes: number;
  private readonly timers = new Map<string, SocketTimers>();

  constructor(
    @Inject(RealtimeConfig) private readonly config: RealtimeConfig,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ConnectionCap) private readonly cap: ConnectionCap,
    @Inject(MessageRateLimit) private readonly rateLimit: MessageRateLimit,
  ) {
    this.maxHeapBytes = config.REALTIME_MAX_HEAP_MB > 0 ? config.REALTIME_MAX_HEAP_MB * 1024 * 1024 : DEFAULT_HEAP_SHARE * getHeapStatistics().heap_size_limit;
  }

  /** Socket.IO middleware, run before authentication: refusing is cheaper than crashing every connection with the process. */
  admission() {
    return (_socket: RealtimeSocket, next: (error?: ExtendedError) => void): void => {
      if (process.memoryUsage().heapUsed <= this.maxHeapBytes) return next();
      this.metrics.refusedConnections.inc({ reason: 'overloaded' });
      next(refusal(OVERLOADED_MESSAGE, 'UNAVAILABLE'));
    };
  }

  /** Socket.IO middleware, run after authentication: the user's connections on every replica count. */
  userCap() {
    return this.cap.admission();
  }

  track(socket: RealtimeSocket): void {
    this.rateLimit.guard(socket, () => this.end(socket, 'rate_limited'));
    const idle = this.clock.setTimeout(() => this.end(socket, 'idle'), this.config.REALTIME_IDLE_TIMEOUT_MS);
    this.timers.set(socket.id, { expiry: this.expiryTimer(socket), idle });
    // Any message from the client within its rate is activity; the server's own pushes and transport pings are not.
    socket.use((_packet, next) => {
      idle.refresh();
      next();
    });
  }

  /** The socket now holds a fresher token: it ends at that token's expiry instead. */
  renew(socket: RealtimeSocket, expiresAt: Date): void {
    const timers = this.timers.get(socket.id);
    if (!timers) return;
    this.clock.clearTimeout(timers.expiry);
    socket.data.expiresAt = expiresAt;
    timers.expiry = this.expiryTimer(socket);
  }

  /** How long before this socket may start another replay; 0: it may now, and its cooldown starts. */
  replayWait(socket: RealtimeSocket): number {
    const now = this.clock.now();
    const wait = socket.data.replayAllowedAt - now;
    if (wait > 0) {
      this.metrics.rateLimitedMessages.inc({ limit: 'replay' });
      return wait;
    }
    socket.data.replayAllowedAt = now + this.config.REALTIME_REPLAY_COOLDOWN_MS;
    return 0;
  }

  untrack(socket: RealtimeSocket): void {
    const timers = this.timers.get(socket.id);
    if (timers) {
      this.clock.clearTimeout(timers.expiry);
      this.clock.clearTimeout(timers.idle);
    }
    this.timers.delete(socket.id);
    this.rateLimit.forget(socket.id);
    this.cap.release(socket.id);
  }

  /** A server-side disconnect: the client does not reconnect by itself, it must come back with a valid token or when its user returns. */
  end(socket: RealtimeSocket, reason: EndReason): void {
    if (socket.disconnected) return;
    socket.emit(END_NOTICES[reason]);
    socket.disconnect(true);
    this.metrics.closedConnections.inc({ reason });
  }

  private expiryTimer(socket: RealtimeSocket): NodeJS.Timeout {
    return this.clock.setTimeout(() => this.end(socket, 'expired'), Math.min(Math.max(0, socket.data.expiresAt.getTime() - this.clock.now()), MAX_TIMER_MS));
  }
}
