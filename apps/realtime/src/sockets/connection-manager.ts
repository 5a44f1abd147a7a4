import { Inject, Injectable } from '@nestjs/common';
import { SESSION_EXPIRED_EVENT, SESSION_IDLE_EVENT } from '@helpdesk/contracts';
import type { ExtendedError } from 'socket.io';
import { getHeapStatistics } from 'node:v8';
import { RealtimeConfig } from '../realtime.config.js';
import { refusal } from './handshake-auth.js';
import { RealtimeMetrics } from './realtime-metrics.js';
import type { RealtimeSocket } from './socket-types.js';

export const OVERLOADED_MESSAGE = 'This server is at its memory limit: connect again later or to another server';

/** The default heap threshold, as a share of the V8 heap limit: room left to serve the sockets already open. */
const DEFAULT_HEAP_SHARE = 0.85;
/** setTimeout holds at most 2^31-1 ms; an access token never lives that long, but a misconfigured TTL might. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface SocketTimers {
  expiry: NodeJS.Timeout;
  idle: NodeJS.Timeout;
}

/**
 * Admission and lifetime of connections: refuses handshakes while the heap is above the threshold,
 * ends a connection when its access token expires (unless renewed) or when its client has sent
 * nothing for REALTIME_IDLE_TIMEOUT_MS.
 */
@Injectable()
export class ConnectionManager {
  readonly maxHeapBytes: number;
  private readonly timers = new Map<string, SocketTimers>();

  constructor(
    @Inject(RealtimeConfig) private readonly config: RealtimeConfig,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
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

  track(socket: RealtimeSocket): void {
    const idle = setTimeout(() => this.end(socket, 'idle'), this.config.REALTIME_IDLE_TIMEOUT_MS);
    this.timers.set(socket.id, { expiry: this.expiryTimer(socket), idle });
    // Any message from the client is activity; the server's own pushes and transport pings are not.
    socket.use((_packet, next) => {
      idle.refresh();
      next();
    });
  }

  /** The socket now holds a fresher token: it ends at that token's expiry instead. */
  renew(socket: RealtimeSocket, expiresAt: Date): void {
    const timers = this.timers.get(socket.id);
    if (!timers) return;
    clearTimeout(timers.expiry);
    socket.data.expiresAt = expiresAt;
    timers.expiry = this.expiryTimer(socket);
  }

  untrack(socket: RealtimeSocket): void {
    const timers = this.timers.get(socket.id);
    clearTimeout(timers?.expiry);
    clearTimeout(timers?.idle);
    this.timers.delete(socket.id);
  }

  private expiryTimer(socket: RealtimeSocket): NodeJS.Timeout {
    return setTimeout(() => this.end(socket, 'expired'), Math.min(Math.max(0, socket.data.expiresAt.getTime() - Date.now()), MAX_TIMER_MS));
  }

  /** A server-side disconnect: the client does not reconnect by itself, it must come back with a valid token or when its user returns. */
  private end(socket: RealtimeSocket, reason: 'idle' | 'expired'): void {
    socket.emit(reason === 'idle' ? SESSION_IDLE_EVENT : SESSION_EXPIRED_EVENT);
    socket.disconnect(true);
    this.metrics.closedConnections.inc({ reason });
  }
}
