import { Inject, Injectable } from '@nestjs/common';
import { CommandError, REDIS_CLIENT } from '@helpdesk/common';
import type { Redis } from 'ioredis';
import { AiProxyConfig } from '../ai-proxy.config.js';

/** Counters outlive their day by one, so a request that straddles midnight still finds its key. */
const COUNTER_TTL_SECONDS = 2 * 24 * 3_600;

/** Per-organization daily token budget for the external provider, counted in Redis so every replica shares it. */
@Injectable()
export class TokenBudget {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AiProxyConfig) private readonly config: AiProxyConfig,
  ) {}

  /** RATE_LIMITED (HTTP 429) once the organization has spent its budget for the UTC day. */
  async assertAvailable(orgId: string, now = new Date()): Promise<void> {
    let used: number;
    try {
      used = Number((await this.redis.get(this.key(orgId, now))) ?? 0);
    } catch {
      // Without the counter the budget cannot be enforced: refuse rather than spend without limit.
      throw new CommandError('UNAVAILABLE', 'AI budgets cannot be checked right now (Redis is unavailable)');
    }
    const budget = this.config.AI_DAILY_TOKEN_BUDGET;
    if (used < budget) return;
    const resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
    throw new CommandError('RATE_LIMITED', `The organization's daily AI budget of ${budget} tokens is spent; it renews at ${resetsAt}`, { budget, used, resetsAt });
  }

  async spend(orgId: string, tokens: number, now = new Date()): Promise<void> {
    const key = this.key(orgId, now);
    await this.redis.multi().incrby(key, tokens).expire(key, COUNTER_TTL_SECONDS).exec();
  }

  private key(orgId: string, now: Date): string {
    return `${this.config.QUEUE_PREFIX}:ai:budget:${orgId}:${now.toISOString().slice(0, 10)}`;
  }
}
