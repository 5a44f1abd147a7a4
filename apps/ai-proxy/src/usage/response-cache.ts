import { Inject, Injectable, Logger } from '@nestjs/common';
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
  private readonly logger = new Logger(ResponseCache.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AiProxyConfig) private readonly config: AiProxyConfig,
  ) {}

  keyOf(parts: { orgId: string; provider: string; model: string; request: unknown }): string {
    const digest = createHash('sha256').update(JSON.stringify([parts.orgId, parts.provider, parts.model, parts.request])).digest('hex');
    return `${this.config.QUEUE_PREFIX}:ai:cache:${digest}`;
  }

  /** A cache that cannot be read is a miss: the provider still answers. */
  async get(key: string): Promise<string | null> {
    if (this.config.AI_CACHE_TTL_SECONDS === 0) return null;
    try {
      return await this.redis.get(key);
    } catch (error) {
      this.logger.warn(`AI cache unreadable, asking the provider: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  async set(key: string, value: string): Promise<void> {
    if (this.config.AI_CACHE_TTL_SECONDS === 0) return;
    try {
      await this.redis.set(key, value, 'EX', this.config.AI_CACHE_TTL_SECONDS);
    } catch (error) {
      this.logger.warn(`AI answer not cached: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
