import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, ServiceConfig } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';

/**
 * Counters for limits the throttler cannot express: failed logins only (not every attempt), and
 * per-route limits such as password resets. Fixed windows in Redis, shared by all replicas;
 * written by hand because the throttler counts every request and applies to all routes at once.
 */
@Injectable()
export class FixedWindowLimiter {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(ServiceConfig) private readonly config: ServiceConfig,
  ) {}

  /** Refuses with 429 and Retry-After if the counter is already at its limit. */
  async assertBelow(reply: FastifyReply, key: string, limit: number, what: string): Promise<void> {
    const fullKey = this.key(key);
    const [count, ttl] = await this.redis.multi().get(fullKey).pttl(fullKey).exec().then((results) => results!.map(([, value]) => value) as [string | null, number]);
    if (Number(count ?? 0) < limit) return;
    const retryAfter = Math.max(1, Math.ceil(ttl / 1000));
    void reply.header('Retry-After', String(retryAfter));
    throw new HttpException(`Too many ${what}: try again in ${retryAfter} seconds`, HttpStatus.TOO_MANY_REQUESTS);
  }

  /** Counts one more in a window of `windowSeconds` starting at the first count. */
  async count(key: string, windowSeconds: number): Promise<void> {
    const fullKey = this.key(key);
    await this.redis.multi().incr(fullKey).expire(fullKey, windowSeconds, 'NX').exec();
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return `${this.config.QUEUE_PREFIX}:limits:${key}`;
  }
}
