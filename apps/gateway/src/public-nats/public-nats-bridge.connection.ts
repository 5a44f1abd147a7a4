import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { GatewayConfig } from '../gateway.config.js';
import { PublicNatsSession } from './public-nats-session.js';

/** JetStream on the public NATS server as the gateway's bridge user: the organizations' event streams and the event fan-out. */
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

  async client(): Promise<JetStreamClient> {
    return jetstream(await this.nats());
  }

  async manager(): Promise<JetStreamManager> {
    return jetstreamManager(await this.nats(), { checkAPI: false });
  }

  onApplicationShutdown(): Promise<void> {
    return this.session.close();
  }
}
