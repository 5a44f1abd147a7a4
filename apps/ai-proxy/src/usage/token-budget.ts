import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandError, REDIS_CLIENT } from '@helpdesk/common';
import type { Redis } from 'ioredis';
import { AiProxyConfig } from '../ai-proxy.config.js';
import { AiMetrics } from './ai-metrics.js';

/** Counters outlive their day by one, so a request that straddles midnight still settles on its key. */
const COUNTER_TTL_SECONDS = 2 * 24 * 3_600;

/**
 * Adds the reservation only if it fits under the limit, in one step, so parallel requests cannot
 * all pass a check and then spend together. Returns { 1, used after } or { 0, used now }.
 */
const RESERVE_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local tokens = tonumber(ARGV[1])
if used + tokens > tonumber(ARGV[2]) then return {0, used} end
redis.call('INCRBY', KEYS[1], tokens)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, used + tokens}
`;

/** Background triage of new tickets, or what agents ask for (summaries, reply suggestions). */
export type BudgetPool = 'triage' | 'agents';

/** Tokens held for one call until it settles. */
export interface Reservation {
  readonly key: string;
  readonly tokens: number;
}

type ReservingRedis = Redis & { aiBudgetReserve(key: string, tokens: number, limit: number, ttlSeconds: number): Promise<[number, number]> };

/**
 * Per-organization daily token budget for the external provider, in Redis so every replica shares
 * it. Each call reserves its maximum before it starts and settles with the real usage after, so the
 * counter never passes the budget. Triage and agents each have their own part.
 */
@Injectable()
export class TokenBudget {
  private readonly logger = new Logger(TokenBudget.name);
  private readonly redis: ReservingRedis;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(AiProxyConfig) private readonly config: AiProxyConfig,
    @Inject(AiMetrics) private readonly metrics: AiMetrics,
  ) {
    if (!('aiBudgetReserve' in redis)) redis.defineCommand('aiBudgetReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    this.redis = redis as ReservingRedis;
  }

  /** The pool's tokens per UTC day. */
  limitOf(pool: BudgetPool): number {
    const triage = Math.floor(this.config.AI_DAILY_TOKEN_BUDGET * this.config.AI_TRIAGE_BUDGET_SHARE);
    return pool === 'triage' ? triage : this.config.AI_DAILY_TOKEN_BUDGET - triage;
  }

  /** QUOTA_EXCEEDED (HTTP 429) when the pool's rest for the UTC day is smaller than `tokens`. */
  async reserve(orgId: string, pool: BudgetPool, tokens: number, now = new Date()): Promise<Reservation> {
    const key = `${this.config.QUEUE_PREFIX}:ai:budget:${orgId}:${now.toISOString().slice(0, 10)}:${pool}`;
    const budget = this.limitOf(pool);
    let reply: [number, number];
    try {
      reply = await this.redis.aiBudgetReserve(key, tokens, budget, COUNTER_TTL_SECONDS);
    } catch {
      // Without the counter the budget cannot be enforced: refuse rather than spend without limit.
      throw new CommandError('UNAVAILABLE', 'AI budgets cannot be checked right now (Redis is unavailable)');
    }
    const [reserved, used] = reply;
    if (reserved === 1) return { key, tokens };
    this.metrics.budgetRefusals.inc({ pool });
    const resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
    const left = Math.max(0, budget - used);
    throw new CommandError(
      'QUOTA_EXCEEDED',
      `The organization's daily AI budget for ${pool} (${budget} tokens) has ${left} left, less than this request may use (${tokens}); it renews at ${resetsAt}`,
      { pool, budget, used, requested: tokens, resetsAt },
    );
  }

  /** After the call: keep what was really spent (none when the provider failed), give back the rest. */
  async settle(reservation: Reservation, spent: number): Promise<void> {
    if (spent > reservation.tokens) this.logger.warn({ message: 'AI call used more tokens than it reserved', reserved: reservation.tokens, spent });
    if (spent === reservation.tokens) return;
    try {
      await this.redis.incrby(reservation.key, spent - reservation.tokens);
    } catch (error) {
      // The answer is already paid for; the budget stays too high until the day ends, never too low.
      this.logger.warn({ message: 'AI budget not settled (Redis unavailable): the reservation stays counted', key: reservation.key, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
