import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@helpdesk/contracts';
import { REDIS_CLIENT } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { GatewayConfig } from '../gateway.config.js';

const HOUR_SECONDS = 3_600;

/**
 * Uploads per user and per organization per hour, apart from the general request limit: each one
 * writes up to MAX_UPLOAD_BYTES into JetStream. Counted before deciding (increment, then compare), so
 * uploads sent in parallel are limited like uploads in series; shared by the replicas through Redis.
 */
@Injectable()
export class UploadRateLimit {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  async take(principal: Principal, reply: FastifyReply): Promise<void> {
    const limits: Array<[key: string, limit: number, whose: string]> = [
      [`user:${principal.userId}`, this.config.ATTACHMENT_UPLOADS_PER_USER_PER_HOUR, 'by this user'],
      [`org:${principal.orgId}`, this.config.ATTACHMENT_UPLOADS_PER_ORG_PER_HOUR, 'in this organization'],
    ];
    for (const [key, limit, whose] of limits) {
      const fullKey = `${this.config.QUEUE_PREFIX}:limits:uploads:${key}`;
      const results = await this.redis.multi().incr(fullKey).expire(fullKey, HOUR_SECONDS, 'NX').pttl(fullKey).exec();
      const [count, , ttl] = results!.map(([, value]) => Number(value));
      if (count! <= limit) continue;
      const retryAfter = Math.max(1, Math.ceil(ttl! / 1000));
      void reply.header('Retry-After', String(retryAfter));
      throw new HttpException(`Too many uploads ${whose} (${limit} per hour): try again in ${retryAfter} seconds`, HttpStatus.TOO_MANY_REQUESTS);
    }
  }
}
