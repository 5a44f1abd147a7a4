import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LifecycleService } from './lifecycle.service.js';

describe('LifecycleService', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is idle at once when no work is in hand', async () => {
    await expect(new LifecycleService().idle(1_000)).resolves.toBe(true);
  });

  it('waits for in-flight work to finish before reporting idle', async () => {
    const lifecycle = new LifecycleService();
    const finish = lifecycle.track();
    let idle: boolean | undefined;
    const waiting = lifecycle.idle(5_000).then((result) => (idle = result));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(idle).toBeUndefined();
    finish();
    await waiting;
    expect(idle).toBe(true);
    expect(lifecycle.inFlightCount).toBe(0);
  });

  it('gives up waiting at the timeout and says the work is not done', async () => {
    const lifecycle = new LifecycleService();
    lifecycle.track();
    const idle = lifecycle.idle(30);
    await vi.advanceTimersByTimeAsync(30);
    await expect(idle).resolves.toBe(false);
    expect(lifecycle.inFlightCount).toBe(1);
  });

  it('counts a unit of work once even if it is finished twice', () => {
    const lifecycle = new LifecycleService();
    const finish = lifecycle.track();
    lifecycle.track();
    finish();
    finish();
    expect(lifecycle.inFlightCount).toBe(1);
  });
});
