import { describe, expect, it } from 'vitest';
import { LifecycleService } from './lifecycle.service.js';

describe('LifecycleService', () => {
  it('is idle at once when no work is in hand', async () => {
    await expect(new LifecycleService().idle(1_000)).resolves.toBe(true);
  });

  it('waits for in-flight work to finish before reporting idle', async () => {
    const lifecycle = new LifecycleService();
    const finish = lifecycle.track();
    let idle: boolean | undefined;
    const waiting = lifecycle.idle(5_000).then((result) => (idle = result));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBeUndefined();
    finish();
    await waiting;
    expect(idle).toBe(true);
    expect(lifecycle.inFlightCount).toBe(0);
  });

  it('gives up waiting at the timeout and says the work is not done', async () => {
    const lifecycle = new LifecycleService();
    lifecycle.track();
    await expect(lifecycle.idle(30)).resolves.toBe(false);
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
