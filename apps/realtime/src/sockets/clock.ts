import { Injectable } from '@nestjs/common';

/**
 * The time and timers that end connections (token expiry, idle timeout) and space replays: one
 * injectable seam, so tests move this clock by hand instead of waiting for real time to pass.
 */
@Injectable()
export class Clock {
  Date: DateConstructor = Date;
  setTimeout: typeof setTimeout = setTimeout;
  clearTimeout: typeof clearTimeout = clearTimeout;

  now(): number {
    return this.Date.now();
  }
}
