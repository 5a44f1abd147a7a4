import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../../libs/common/src/config/load-config.js';
import { NotificationConfig } from '../notification.config.js';
import { retryDelayMs } from './webhook-deliverer.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;

/**
 * The wait before each retry of a failed delivery (DESIGN section 16: exponential backoff with
 * jitter for 24 hours). The deliverer gives a delivery up once its next attempt would fall outside
 * WEBHOOK_RETRY_WINDOW_MS (webhooks-api.spec.ts runs that with a one-second window).
 */
describe('the retry schedule of a failed webhook delivery', () => {
  afterEach(() => vi.restoreAllMocks());

  it('retries for 24 hours and disables a webhook failing for 24 hours by default, first waits up to 10 s and never more than an hour', () => {
    const config = loadConfig(NotificationConfig, {});
    expect(config).toMatchObject({ WEBHOOK_RETRY_WINDOW_MS: 24 * HOUR, WEBHOOK_DISABLE_AFTER_MS: 24 * HOUR, WEBHOOK_RETRY_BASE_MS: 10 * SECOND, WEBHOOK_RETRY_MAX_DELAY_MS: HOUR });
  });

  it('doubles the longest wait with each attempt, up to the maximum', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const longest = Array.from({ length: 12 }, (_, index) => retryDelayMs(index + 1, 10 * SECOND, HOUR) / SECOND);
    expect(longest).toEqual([10, 20, 40, 80, 160, 320, 640, 1_280, 2_560, 3_600, 3_600, 3_600]);
    // Past any attempt count a delivery can reach in its window, the wait stays capped rather than overflowing.
    expect(retryDelayMs(5_000, 10 * SECOND, HOUR)).toBe(HOUR);
  });

  it('draws each wait uniformly between zero and that ceiling (full jitter), so failed deliveries do not retry in step', () => {
    const ceiling = 80 * SECOND;
    const waits = Array.from({ length: 2_000 }, () => retryDelayMs(4, 10 * SECOND, HOUR));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(ceiling);
    // 2,000 uniform draws: each tenth of the range gets some (the chance that one stays empty is below 1e-90).
    const tenths = new Set(waits.map((wait) => Math.min(9, Math.floor((wait / ceiling) * 10))));
    expect([...tenths].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const mean = waits.reduce((sum, wait) => sum + wait, 0) / waits.length;
    expect(mean / ceiling).toBeGreaterThan(0.4);
    expect(mean / ceiling).toBeLessThan(0.6);
  });
});
