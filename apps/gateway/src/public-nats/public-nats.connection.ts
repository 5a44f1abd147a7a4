import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { readFile } from 'node:fs/promises';
import { GatewayConfig } from '../gateway.config.js';

/**
 * The gateway's connection to the public NATS server (INTEGRATIONS_NATS_URL), where integrations send
 * public commands. A server apart from the platform's own, so integrations never reach internal subjects.
 * Inert when the URL is unset. Connects in the background and keeps reconnecting: an outage of the
 * public server leaves the REST API untouched (it is not part of readiness).
 */
@Injectable()
export class PublicNatsConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublicNatsConnection.name);
  private connection?: NatsConnection;
  private readonly listeners: Array<(connection: NatsConnection) => void> = [];

  constructor(@Inject(GatewayConfig) private readonly config: GatewayConfig) {}

  /** False when INTEGRATIONS_NATS_URL is unset: no public NATS interface. */
  get enabled(): boolean {
    return this.config.INTEGRATIONS_NATS_URL !== undefined;
  }

  /** Runs once connected (at once when connected already). */
  onConnected(listener: (connection: NatsConnection) => void): void {
    if (this.connection) listener(this.connection);
    else this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    // Not awaited: the gateway serves its API while the public server is still unreachable.
    this.connect().catch((error: unknown) => this.logger.error(`Public NATS server could not be reached: ${String(error)}`));
  }

  async onApplicationShutdown(): Promise<void> {
    // Drain: public commands already received are answered before the connection closes.
    await this.connection?.drain().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const credentials = this.config.INTEGRATIONS_NATS_CREDS_FILE ? await readFile(this.config.INTEGRATIONS_NATS_CREDS_FILE) : undefined;
    this.connection = await connect({
      servers: this.config.INTEGRATIONS_NATS_URL!.split(','),
      name: 'gateway-public-commands',
      ...(credentials ? { authenticator: credsAuthenticator(credentials) } : {}),
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
    });
    this.logger.log(`Connected to the public NATS server ${this.connection.getServer()}`);
    for (const listener of this.listeners.splice(0)) listener(this.connection);
  }
}
