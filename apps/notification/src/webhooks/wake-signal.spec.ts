import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WakeSignal } from './wake-signal.js';

/** Whether a promise settled once the microtasks queued so far ran (fake timers: no time passes unless the test says so). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('WakeSignal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('wakes a waiting loop at once', async () => {
    const signal = new WakeSignal();
    const waiting = signal.wait(60_000);
    expect(await settled(waiting)).toBe(false);

    signal.notify();

    expect(await settled(waiting)).toBe(true);
  });

  it('keeps a wake-up that came while the loop was busy, so its next wait returns at once', async () => {
    const signal = new WakeSignal();
    signal.clear(); // the loop starts a claim
    signal.notify(); // a delivery is written while the claim runs

    expect(await settled(signal.wait(60_000))).toBe(true);
    // Used up: the wait after that sleeps until the next wake-up or the poll.
    const next = signal.wait(60_000);
    expect(await settled(next)).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await settled(next)).toBe(true);
  });

  it('forgets wake-ups from before the loop looked for work', async () => {
    const signal = new WakeSignal();
    signal.notify(); // announced rows the coming claim sees anyway
    signal.clear();

    expect(await settled(signal.wait(60_000))).toBe(false);
  });
});
