import { ClientNats } from '@nestjs/microservices';
import { EVENTS_STREAM, subjects, type EventEnvelope, type SignupReply, type TicketView } from '@helpdesk/contracts';
import { createTestDatabase, deleteRedisKeys, ROOT, SERVICE_SPECS, ServiceProcess, TestNatsServer } from '@helpdesk/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ticketSpec = SERVICE_SPECS.find((spec) => spec.name === 'ticket')!;

describe('the ticket service killed with SIGKILL in the middle of creating tickets', () => {
  let nats: TestNatsServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  let client: ClientNats;
  let ticketService: ServiceProcess | undefined;

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    database = await createTestDatabase('crash');
    env = { NATS_URL: nats.url, DB_NAME: database.name, NODE_ENV: 'test', LOG_LEVEL: 'error', QUEUE_PREFIX: `crash-${database.name}` };
    const migration = spawnSync(process.execPath, [`${ROOT}/dist/apps/ticket/src/database/migrate.js`, 'up'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(migration.status, migration.stderr).toBe(0);
    client = new ClientNats({ servers: [nats.url] });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await ticketService?.kill();
    await client?.close();
    await nats?.destroy();
    await database?.drop();
    if (env) await deleteRedisKeys(env.QUEUE_PREFIX!);
  });

  const send = <T>(subject: string, payload: object) => firstValueFrom(client.send<T>(subject, payload).pipe(timeout(5_000)));

  it('keeps every acknowledged ticket and gives each exactly one ticket.created event after a restart', async () => {
    ticketService = await ServiceProcess.start(ticketSpec, env);
    await ticketService.waitUntilReady();
    const signup = await send<SignupReply>(subjects.organizations.signup, { organizationName: 'Crash Desk', name: 'Admin', email: 'admin@crash.test', password: 'correct horse battery staple' });
    const principal = { orgId: signup.organization.id, userId: signup.user.id, role: 'admin' };

    const acknowledged: TicketView[] = [];
    const attempts = Array.from({ length: 200 }, (_, index) =>
      send<TicketView>(subjects.tickets.create, { principal, subject: `Load ${index}`, description: 'x' }).then(
        (ticket) => acknowledged.push(ticket),
        () => undefined,
      ),
    );
    // Kill once some creations are acknowledged and others are still in flight.
    while (acknowledged.length < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    ticketService.signal('SIGKILL');
    await Promise.all(attempts);
    await ticketService.exited(5_000);

    ticketService = await ServiceProcess.start(ticketSpec, env);
    await ticketService.waitUntilReady();
    const db = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: database.name });
    await db.connect();
    try {
      await waitForOutboxEmpty(db);
      const { rows } = await db.query<{ id: string }>('SELECT id FROM helpdesk.tickets');
      const stored = new Set(rows.map((row) => row.id));
      const created = (await streamEvents()).filter((event) => event.type === 'ticket.created');
      const perTicket = new Map<string, number>();
      for (const event of created) perTicket.set(event.aggregateId, (perTicket.get(event.aggregateId) ?? 0) + 1);

      expect(acknowledged.length).toBeGreaterThan(0);
      for (const ticket of acknowledged) {
        expect(stored.has(ticket.id)).toBe(true);
        expect(perTicket.get(ticket.id)).toBe(1);
      }
      // Committed but unacknowledged tickets (the reply was lost in the crash) still get their one event; no event lacks its ticket.
      expect([...perTicket.keys()].sort()).toEqual([...stored].sort());
      expect([...perTicket.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await db.end();
    }
  }, 90_000);

  async function waitForOutboxEmpty(db: pg.Client): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const { rows } = await db.query<{ pending: string }>('SELECT count(*) AS pending FROM helpdesk.outbox WHERE published_at IS NULL');
      if (rows[0]!.pending === '0') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('outbox never drained');
  }

  async function streamEvents(): Promise<EventEnvelope[]> {
    const connection = await connect({ servers: nats.url });
    try {
      const manager = await jetstreamManager(connection);
      const info = await manager.streams.info(EVENTS_STREAM);
      const events: EventEnvelope[] = [];
      for (let sequence = info.state.first_seq; info.state.messages > 0 && sequence <= info.state.last_seq; sequence += 1) {
        const message = await manager.streams.getMessage(EVENTS_STREAM, { seq: sequence });
        if (message) events.push(message.json<EventEnvelope>());
      }
      return events;
    } finally {
      await connection.close();
    }
  }
});
