import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT } from '@helpdesk/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { AiProxyConfig } from '../ai-proxy.config.js';

/**
 * Answers of the external provider, served again for an identical request. The key hashes the
 * organization too: a hit must never tell one tenant what another asked.
 */
@Injectable()
export class ResponseCache {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AiProxyConfig) private readonly config: AiProxyConfig,
  ) {}

  keyOf(parts: { orgId: string; provider: string; model: string; request: unknown }): string {
    const digest = createHash('sha256').update(JSON.stringify([parts.orgId, parts.provider, parts.model, parts.request])).digest('hex');
    return `${this.config.QUEUE_PREFIX}:ai:cache:${digest}`;
  }

  async get(key: string): Promise<string | null> {
    return this.config.AI_CACHE_TTL_SECONDS === 0 ? null : this.redis.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    if (this.config.AI_CACHE_TTL_SECONDS > 0) await this.redis.set(key, value, 'EX', this.config.AI_CACHE_TTL_SECONDS);
  }
}
