import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { RepeatingJob } from './repeating-job.js';

class RecordingLogger implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
}

describe('RepeatingJob', () => {
  it('runs again and again, never two runs at once, and stop() waits for the run under way', async () => {
    let active = 0;
    let mostAtOnce = 0;
    let runs = 0;
    let finished = 0;
    const job = new RepeatingJob('slow job', 5, async () => {
      runs += 1;
      active += 1;
      mostAtOnce = Math.max(mostAtOnce, active);
      await sleep(30);
      active -= 1;
      finished += 1;
    }, new RecordingLogger());
    job.start();
    await sleep(200);
    await job.stop();
    expect(runs).toBeGreaterThan(1);
    expect(mostAtOnce).toBe(1);
    expect(finished).toBe(runs);
    await sleep(50);
    expect(runs).toBe(finished);
  });

  it('logs a failed run under its description and keeps the schedule', async () => {
    const logger = new RecordingLogger();
    let runs = 0;
    const job = new RepeatingJob('Flaky job', 5, async () => {
      runs += 1;
      if (runs === 1) throw new Error('the database went away');
    }, logger);
    job.start();
    await sleep(100);
    await job.stop();
    expect(logger.errors[0]).toBe('Flaky job failed: Error: the database went away');
    expect(runs).toBeGreaterThan(1);
  });
});
