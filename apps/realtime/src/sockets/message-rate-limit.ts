import { Inject, Injectable } from '@nestjs/common';
import type { RateLimitedAck } from '@helpdesk/contracts';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RealtimeConfig } from '../realtime.config.js';
import { RealtimeMetrics } from './realtime-metrics.js';
import type { RealtimeSocket } from './socket-types.js';

/**
 * At most REALTIME_MESSAGE_LIMIT client messages per socket in each REALTIME_MESSAGE_WINDOW_MS, of
 * any event: a `ticket:join` costs a NATS request and a query, a replay a JetStream consumer. In
 * memory: a socket lives on one replica, so its count needs no sharing.
 */
@Injectable()
export class MessageRateLimit {
  private readonly limiter: RateLimiterMemory;
  /** Messages in one window beyond which the client is ignoring RATE_LIMITED. */
  private readonly abusive: number;

  constructor(
    @Inject(RealtimeConfig) config: RealtimeConfig,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
  ) {
    this.limiter = new RateLimiterMemory({ points: config.REALTIME_MESSAGE_LIMIT, duration: config.REALTIME_MESSAGE_WINDOW_MS / 1000 });
    this.abusive = config.REALTIME_MESSAGE_LIMIT + config.REALTIME_MESSAGE_REFUSALS_MAX;
  }

  /** Answers the socket's messages past the limit RATE_LIMITED, unhandled; calls `onAbuse` instead once the client went on far past it. */
  guard(socket: RealtimeSocket, onAbuse: () => void): void {
    socket.use((packet, next) => {
      this.limiter.consume(socket.id).then(
        () => next(),
        (refused: unknown) => {
          if (!(refused instanceof RateLimiterRes)) throw refused;
          this.metrics.rateLimitedMessages.inc({ limit: 'messages' });
          if (refused.consumedPoints > this.abusive) return onAbuse();
          const ack: unknown = packet.at(-1);
          const reply: RateLimitedAck = { ok: false, error: 'RATE_LIMITED', retryAfterMs: refused.msBeforeNext };
          if (typeof ack === 'function') ack(reply);
        },
      );
    });
  }

  forget(socketId: string): void {
    void this.limiter.delete(socketId);
  }
}
