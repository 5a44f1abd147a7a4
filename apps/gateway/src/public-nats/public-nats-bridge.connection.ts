import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { GatewayConfig } from '../gateway.config.js';
import { PublicNatsSession } from './public-nats-session.js';

/** The gateway's bridge user on the public NATS server: the event fan-out, the public commands and the authority's account work. */
@Injectable()
export class PublicNatsBridgeConnection implements OnApplicationShutdown {
  private readonly session: PublicNatsSession;

  constructor(@Inject(GatewayConfig) config: GatewayConfig) {
    this.session = new PublicNatsSession(config.INTEGRATIONS_NATS_URL, config.INTEGRATIONS_NATS_CREDS_FILE, 'gateway-public-events');
  }

  get enabled(): boolean {
    return this.session.enabled;
  }

  nats(): Promise<NatsConnection> {
    return this.session.nats();
  }

  onApplicationShutdown(): Promise<void> {
    return this.session.close();
  }
}
