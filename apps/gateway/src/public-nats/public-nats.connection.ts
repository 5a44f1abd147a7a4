import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { readFile } from 'node:fs/promises';
import { GatewayConfig } from '../gateway.config.js';

/**
 * The gateway's connections to the public NATS server (INTEGRATIONS_NATS_URL), where integrations
 * send public commands and read their organization's events: a server apart from the platform's own,
 * so integrations never reach internal subjects. Inert when the URL is unset. The bridge connection
 * (the gateway's own user) is made in the background and keeps reconnecting, so an outage of the
 * public server leaves the REST API untouched (it is not part of readiness); the system account's
 * connection is made on first use (revocations).
 */
@Injectable()
export class PublicNatsConnection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublicNatsConnection.name);
  private bridgeConnection?: Promise<NatsConnection>;
  private systemConnection?: Promise<NatsConnection>;

  constructor(@Inject(GatewayConfig) private readonly config: GatewayConfig) {}

  /** False when INTEGRATIONS_NATS_URL is unset: no public NATS interface. */
  get enabled(): boolean {
    return this.config.INTEGRATIONS_NATS_URL !== undefined;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.bridge().catch((error: unknown) => this.logger.error(`Public NATS server could not be reached: ${String(error)}`));
  }

  /** The gateway's own connection (INTEGRATIONS_NATS_CREDS_FILE), once connected. */
  bridge(): Promise<NatsConnection> {
    this.bridgeConnection ??= this.connect('gateway-public-bridge', this.config.INTEGRATIONS_NATS_CREDS_FILE).then((connection) => {
      this.logger.log(`Connected to the public NATS server ${connection.getServer()}`);
      return connection;
    });
    return this.bridgeConnection;
  }

  /** The system account's connection (INTEGRATIONS_NATS_SYSTEM_CREDS_FILE), made on first use. */
  system(): Promise<NatsConnection> {
    if (!this.config.INTEGRATIONS_NATS_SYSTEM_CREDS_FILE) return Promise.reject(new Error('INTEGRATIONS_NATS_SYSTEM_CREDS_FILE is not set'));
    this.systemConnection ??= this.connect('gateway-public-system', this.config.INTEGRATIONS_NATS_SYSTEM_CREDS_FILE);
    // A failed attempt is not kept: the next use tries again.
    this.systemConnection.catch(() => (this.systemConnection = undefined));
    return this.systemConnection;
  }

  async onApplicationShutdown(): Promise<void> {
    // Drain: public commands already received are answered before the connection closes.
    for (const connection of [this.bridgeConnection, this.systemConnection]) await (await connection?.catch(() => undefined))?.drain().catch(() => undefined);
  }

  private async connect(name: string, credsFile: string | undefined): Promise<NatsConnection> {
    if (!this.enabled) throw new Error('The public NATS interface is off (INTEGRATIONS_NATS_URL is not set)');
    const credentials = credsFile ? await readFile(credsFile) : undefined;
    return connect({
      servers: this.config.INTEGRATIONS_NATS_URL!.split(','),
      name,
      ...(credentials ? { authenticator: credsAuthenticator(credentials) } : {}),
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
    });
  }
}
