import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { REDIS_CLIENT } from '@helpdesk/common';
import type { Redis } from 'ioredis';

/** BullMQ keeps queued mails in Redis: any eviction policy but noeviction can silently drop them under memory pressure. */
export function evictionWarning(policy: string | undefined): string | undefined {
  if (policy === 'noeviction') return undefined;
  return `Redis maxmemory-policy is "${policy ?? 'unknown'}", not "noeviction": queued mails can be evicted and lost. Set maxmemory-policy noeviction.`;
}

/** Warns loudly at boot when Redis may evict queue keys. */
@Injectable()
export class RedisEvictionCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisEvictionCheck.name);

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  onApplicationBootstrap(): void {
    // Not awaited: a Redis that is still starting must not hold up boot; the warning comes when it answers.
    void this.check();
  }

  async check(): Promise<void> {
    try {
      const [, policy] = (await this.redis.config('GET', 'maxmemory-policy')) as string[];
      const warning = evictionWarning(policy);
      if (warning) this.logger.error(warning);
    } catch (error) {
      // Managed Redis services often refuse CONFIG: say so rather than stay silent.
      this.logger.warn(`Could not read Redis maxmemory-policy (make sure it is "noeviction"): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
