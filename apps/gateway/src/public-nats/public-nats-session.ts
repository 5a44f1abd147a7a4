import { Logger } from '@nestjs/common';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const DRAIN_WAIT_MS = 1_000;

/**
 * One connection of the gateway to the public NATS server, as one user (`.creds` file), opened on
 * first use and kept reconnecting: an outage there never touches the REST API (not in readiness).
 */
export class PublicNatsSession {
  private readonly logger: Logger;
  private connection?: Promise<NatsConnection>;

  constructor(
    private readonly servers: string | undefined,
    private readonly credsFile: string | undefined,
    private readonly connectionName: string,
  ) {
    this.logger = new Logger(connectionName);
  }

  get enabled(): boolean {
    return this.servers !== undefined;
  }

  nats(): Promise<NatsConnection> {
    if (!this.servers) return Promise.reject(new Error('INTEGRATIONS_NATS_URL is not set: the public NATS interface is off'));
    this.connection ??= this.open(this.servers);
    return this.connection;
  }

  async close(): Promise<void> {
    const connection = await this.connection?.catch(() => undefined);
    if (!connection || connection.isClosed()) return;
    // Bounded: draining during a reconnection could wait indefinitely.
    const drained = await Promise.race([connection.drain().then(() => true, () => false), sleep(DRAIN_WAIT_MS, false, { ref: false })]);
    if (!drained && !connection.isClosed()) await connection.close();
  }

  private async open(servers: string): Promise<NatsConnection> {
    const creds = this.credsFile ? await readFile(this.credsFile) : undefined;
    const connection = await connect({
      servers: servers.split(','),
      name: this.connectionName,
      ...(creds ? { authenticator: credsAuthenticator(creds) } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      waitOnFirstConnect: true,
      noAsyncTraces: true,
    });
    this.logger.log(`Connected to the public NATS server ${connection.getServer()}`);
    return connection;
  }
}
