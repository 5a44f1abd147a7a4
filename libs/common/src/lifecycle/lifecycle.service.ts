import { Injectable } from '@nestjs/common';

/**
 * Whether this process is still taking work, and how much work it has in hand. Readiness turns
 * red the moment draining starts; shutdown waits on `idle()` before closing connections.
 */
@Injectable()
export class LifecycleService {
  private draining = false;
  private started = false;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();

  get isDraining(): boolean {
    return this.draining;
  }

  get isStarted(): boolean {
    return this.started;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  markStarted(): void {
    this.started = true;
  }

  beginDraining(): void {
    this.draining = true;
  }

  /** Counts one unit of work until the returned function is called (once). */
  track(): () => void {
    this.inFlight += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of [...this.idleWaiters]) wake();
    };
  }

  /** Resolves when no tracked work is left, or after `timeoutMs`, whichever comes first; true if idle. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve(this.inFlight === 0);
      };
      const timer = setTimeout(wake, timeoutMs);
      this.idleWaiters.add(wake);
    });
  }
}
