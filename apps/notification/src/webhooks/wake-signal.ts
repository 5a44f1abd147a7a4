/**
 * Wakes one worker loop that waits between rounds of work. A notify() that comes while the loop is
 * busy (not waiting) is kept, so the loop's next wait() returns at once instead of sleeping through
 * work written meanwhile. Hand-written: a latch of a dozen lines; the event-emitter helpers
 * (events.once, p-event) drop a signal sent while nobody listens, which is the bug this prevents.
 */
export class WakeSignal {
  private pending = false;
  private waiter?: () => void;

  /** Wakes the waiting loop, or the next wait() if the loop is busy. */
  notify(): void {
    this.pending = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /**
   * Forgets the notifications so far. The loop calls it just before it looks for work: whatever
   * they announced was written before the look, so the look sees it; later ones stay pending.
   */
  clear(): void {
    this.pending = false;
  }

  /** Until a notify() since the last clear() or wait(), or `timeoutMs` (the fallback poll). */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(fallback);
        this.pending = false;
        this.waiter = undefined;
        resolve();
      };
      const fallback = setTimeout(finish, timeoutMs);
      this.waiter = finish;
    });
  }
}
