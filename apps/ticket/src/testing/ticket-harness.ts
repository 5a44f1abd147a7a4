import { CommandClient, loadConfig, runMigrations, startService, type RunningService } from '@helpdesk/common';
import { EVENTS_STREAM, subjects, type EventEnvelope, type Principal, type SignupReply } from '@helpdesk/contracts';
import { createTestDatabase, deleteRedisKeys, freePort, TestNatsServer } from '@helpdesk/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { DataSource } from 'typeorm';
import { ticketMigrations } from '../database/migrations/index.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { TicketConfig } from '../ticket.config.js';
import { ticketApp } from '../ticket.app.js';

export interface StoredEvent {
  envelope: EventEnvelope;
  msgId: string | undefined;
}

/**
 * The real ticket service, in this process, on its own nats-server, database and queue prefix,
 * commanded over real NATS exactly as the gateway will command it.
 */
export class TicketHarness {
  private readonly replicas: RunningService[] = [];

  private constructor(
    readonly nats: TestNatsServer,
    private readonly database: { name: string; drop(): Promise<void> },
    readonly config: TicketConfig,
    readonly service: RunningService,
    private readonly environment: Record<string, string>,
  ) {}

  static async start(label: string, overrides: Record<string, string> = {}): Promise<TicketHarness> {
    const nats = await TestNatsServer.start();
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    try {
      database = await createTestDatabase(label, { migrated: true });
      const environment = {
        DB_NAME: database.name,
        NATS_URL: nats.url,
        HOST: '127.0.0.1',
        TICKET_PORT: String(await freePort()),
        METRICS_PORT: '0',
        QUEUE_PREFIX: `test-${label}-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'error',
        OUTBOX_POLL_INTERVAL_MS: '50',
        ...overrides,
      };
      const config = loadConfig(TicketConfig, environment);
      await runMigrations({ config, schema: TICKET_SCHEMA, migrations: ticketMigrations, direction: 'up' });
      const service = await startService(ticketApp, config, { logStream: new PassThrough() });
      return new TicketHarness(nats, database, config, service, environment);
    } catch (error) {
      // The nats-server is a child process: left running, it would outlive the test file.
      await Promise.allSettled([nats.destroy(), database?.drop()]);
      throw error;
    }
  }

  /** Another replica of the ticket service in this process, on the same nats-server, database and queue prefix (stopped by stop()). */
  async startReplica(): Promise<RunningService> {
    const config = loadConfig(TicketConfig, { ...this.environment, TICKET_PORT: String(await freePort()) });
    const replica = await startService(ticketApp, config, { logStream: new PassThrough() });
    this.replicas.push(replica);
    return replica;
  }

  get dataSource(): DataSource {
    return this.service.app.get(DataSource);
  }

  send<T>(subject: string, payload: object): Promise<T> {
    return this.service.app.get(CommandClient).request<T>(subject, payload);
  }

  /** Sends a command expected to fail, and returns the error. */
  async fail(subject: string, payload: object): Promise<{ code: string; message: string; details?: unknown }> {
    try {
      await this.send(subject, payload);
    } catch (error) {
      return error as { code: string; message: string };
    }
    throw new Error(`${subject} was expected to fail but succeeded`);
  }

  /**
   * A fresh organization and its admin's principal. With `emailVerified: false` it is signed up over
   * NATS as the gateway does (unverified, with a verification mail to its admin); by default it starts
   * verified, as the demo seed does, so it may mail customers and sends no verification mail (the
   * verification itself has its own tests).
   */
  async signup(organizationName = 'Acme Support', options: { emailVerified?: boolean } = {}): Promise<{ admin: Principal; reply: SignupReply }> {
    const command = { organizationName, name: 'Ada Admin', email: `admin-${randomBytes(3).toString('hex')}@example.com`, password: 'correct horse battery staple' };
    const reply =
      options.emailVerified === false
        ? await this.send<SignupReply>(subjects.organizations.signup, command)
        : await this.service.app.get(OrganizationsService).signup(command, { emailVerified: true });
    return { admin: { orgId: reply.organization.id, userId: reply.user.id, role: 'admin' }, reply };
  }

  /** Marks an organization verified, as following its verification link would. */
  async verifyEmail(orgId: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${TICKET_SCHEMA}.organizations SET email_verified_at = now() WHERE id = $1`, [orgId]);
  }

  /** Adds a user straight to the database (user management commands are tested elsewhere). */
  async addUser(orgId: string, role: Principal['role'], email = `${role}-${randomBytes(3).toString('hex')}@example.com`): Promise<Principal> {
    const [row] = (await this.dataSource.query(`INSERT INTO ${TICKET_SCHEMA}.users (organization_id, email, name, role) VALUES ($1, $2, $3, $4) RETURNING id`, [
      orgId,
      email,
      `Test ${role}`,
      role,
    ])) as Array<{ id: string }>;
    return { orgId, userId: row!.id, role };
  }

  /** Every event in the stream, in order, with its Nats-Msg-Id. */
  async storedEvents(): Promise<StoredEvent[]> {
    const connection = await connect({ servers: this.nats.url });
    try {
      const manager = await jetstreamManager(connection);
      const info = await manager.streams.info(EVENTS_STREAM);
      const events: StoredEvent[] = [];
      for (let sequence = info.state.first_seq; sequence <= info.state.last_seq && info.state.messages > 0; sequence += 1) {
        const message = await manager.streams.getMessage(EVENTS_STREAM, { seq: sequence });
        if (message) events.push({ envelope: message.json<EventEnvelope>(), msgId: message.header?.get('Nats-Msg-Id') });
      }
      return events;
    } finally {
      await connection.close();
    }
  }

  /** Reports staff as connected over NATS, as a realtime replica does (the TTL is short unless given). */
  reportPresence(connected: Principal[], options: { replicaId?: string; ttlMs?: number; disconnected?: Principal[]; heartbeat?: boolean } = {}): Promise<{ present: number }> {
    const users = (list: Principal[]) => list.map((user) => ({ orgId: user.orgId, userId: user.userId }));
    return this.send(subjects.presence.report, {
      replicaId: options.replicaId ?? 'test-realtime',
      ttlMs: options.ttlMs ?? 60_000,
      connected: users(connected),
      disconnected: users(options.disconnected ?? []),
      ...(options.heartbeat ? { heartbeat: true } : {}),
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.replicas.map((replica) => replica.shutdown('test end')));
    await this.service.shutdown('test end');
    await this.nats.destroy();
    await this.database.drop();
    await deleteRedisKeys(this.config.QUEUE_PREFIX);
  }
}
