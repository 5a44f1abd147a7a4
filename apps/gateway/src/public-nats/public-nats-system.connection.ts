import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { GatewayConfig } from '../gateway.config.js';
import { PublicNatsSession } from './public-nats-session.js';

/** The public NATS server's system account, as INTEGRATIONS_NATS_SYSTEM_CREDS_FILE's user: opened when a revocation needs it. */
@Injectable()
export class PublicNatsSystemConnection implements OnApplicationShutdown {
  private readonly session: PublicNatsSession;

  constructor(@Inject(GatewayConfig) config: GatewayConfig) {
    this.session = new PublicNatsSession(config.INTEGRATIONS_NATS_URL, config.INTEGRATIONS_NATS_SYSTEM_CREDS_FILE, 'gateway-public-system');
  }

  nats(): Promise<NatsConnection> {
    return this.session.nats();
  }

  onApplicationShutdown(): Promise<void> {
    return this.session.close();
  }
}
