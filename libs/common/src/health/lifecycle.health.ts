import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import type { HealthIndicator } from './readiness-indicator.js';

/** Not ready before start-up completes and from the first moment of shutdown. */
@Injectable()
export class LifecycleHealthIndicator implements HealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(LifecycleService) private readonly lifecycle: LifecycleService,
  ) {}

  async check() {
    const session = this.health.check('lifecycle');
    if (this.lifecycle.isDraining) return session.down({ message: 'shutting down' });
    if (!this.lifecycle.isStarted) return session.down({ message: 'starting' });
    return session.up({ inFlight: this.lifecycle.inFlightCount });
  }
}
