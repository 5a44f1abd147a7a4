import type { LoggerService } from '@nestjs/common';

/**
 * Runs `work` every `intervalMs` in the background, never two runs at once: a run that outlasts the
 * interval makes the next ticks pass. stop() ends the schedule and resolves when no run is under way.
 */
export class RepeatingJob {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly description: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.work()
        .catch((error: unknown) => this.logger.error(`${this.description} failed: ${String(error)}`))
        .finally(() => (this.running = null));
    }, this.intervalMs);
    // A background job never keeps the process alive on its own.
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
