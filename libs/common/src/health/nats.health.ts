import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NatsConnections } from '../nats/nats-connections.js';
import { DEPENDENCY_CHECK_TIMEOUT_MS, type HealthIndicator } from './readiness-indicator.js';

/** NATS is up when every connection this service uses completes a round trip to the server. */
@Injectable()
export class NatsHealthIndicator implements HealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(NatsConnections) private readonly connections: NatsConnections,
  ) {}

  check() {
    return this.health
      .check('nats')
      .attempt(async () => {
        const roundTrips: Record<string, number> = {};
        for (const [role, connection] of this.connections.entries()) {
          if (!connection) throw new Error(`${role} connection not established yet`);
          if (connection.isClosed()) throw new Error(`${role} connection is closed`);
          roundTrips[`${role}RttMs`] = await connection.rtt();
        }
        return roundTrips;
      })
      .withTimeout(DEPENDENCY_CHECK_TIMEOUT_MS);
  }
}
