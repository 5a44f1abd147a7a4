import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceConfig } from '../config/service-config.js';
import { SERVICE_IDENTITY, type ServiceIdentity } from '../service-identity.js';
import { NatsConnections } from './nats-connections.js';
import { natsConnectionOptions } from './nats-options.js';

const JETSTREAM_ROLE = 'jetstream';
const DRAIN_WAIT_MS = 1_000;

/**
 * A NATS connection for JetStream (events, object store), separate from Nest's command transport.
 * Connecting does not block start-up: until it is up, readiness reports it and callers wait.
 */
@Injectable()
export class JetStreamConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamConnection.name);
  private connection?: Promise<NatsConnection>;

  constructor(
    @Inject(ServiceConfig) private readonly config: ServiceConfig,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(NatsConnections) private readonly connections: NatsConnections,
  ) {
    connections.expect(JETSTREAM_ROLE);
  }

  onModuleInit(): void {
    this.connection = connect(natsConnectionOptions(this.config, this.identity.service, `${this.identity.service}-jetstream-${this.identity.instanceId}`));
    this.connection
      .then((connection) => this.connections.register(JETSTREAM_ROLE, connection))
      .catch((error: unknown) => this.logger.error(`JetStream connection failed: ${String(error)}`));
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = await this.connection?.catch(() => undefined);
    if (!connection || connection.isClosed()) return;
    // Draining flushes what is in flight; during a reconnection it could wait indefinitely, so it is bounded.
    const drained = await Promise.race([connection.drain().then(() => true, () => false), sleep(DRAIN_WAIT_MS, false, { ref: false })]);
    if (!drained && !connection.isClosed()) await connection.close();
  }

  async client(): Promise<JetStreamClient> {
    return jetstream(await this.nats());
  }

  async manager(): Promise<JetStreamManager> {
    return jetstreamManager(await this.nats());
  }

  private nats(): Promise<NatsConnection> {
    if (!this.connection) throw new Error('JetStream connection used before module init');
    return this.connection;
  }
}

@Global()
@Module({ providers: [JetStreamConnection], exports: [JetStreamConnection] })
export class JetStreamModule {}
