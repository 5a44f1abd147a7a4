import { randomUUID } from 'node:crypto';
import { publicEventsStream, publicSubjects } from '@helpdesk/contracts';
import { startPublicNatsServer, waitFor, type TestPublicNatsServer } from '@helpdesk/testing';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { integrationInboxPrefix, isIntegrationReplySubject } from './integration-permissions.js';
import { accountOfCreds } from './public-nats-keys.js';
import { PublicNatsAuthority, PUBLIC_EVENTS_MAX_AGE_MS } from './public-nats-authority.js';

describe('PublicNatsAuthority (operator-mode public NATS server)', () => {
  let server: TestPublicNatsServer;
  let bridge: NatsConnection;
  let system: NatsConnection;
  let authority: PublicNatsAuthority;
  const opened: NatsConnection[] = [];
  const orgA = randomUUID();
  const orgB = randomUUID();

  const connectWith = async (creds: string, inboxPrefix?: string) => {
    const connection = await connect({ servers: server.url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), inboxPrefix, reconnect: false });
    opened.push(connection);
    return connection;
  };
  const integration = async (organizationId: string) => {
    const integrationId = randomUUID();
    const credentials = await authority.issueIntegrationCredentials({ organizationId, integrationId, name: 'CRM sync' });
    return { integrationId, ...credentials, connect: () => connectWith(credentials.creds, integrationInboxPrefix(integrationId)) };
  };
  /** The server's answer to a subscription: the error that closed it, or undefined while it stays open past a round trip. */
  const subscriptionRefusal = async (connection: NatsConnection, subject: string) => {
    const subscription = connection.subscribe(subject);
    await connection.flush();
    const closed = await Promise.race([subscription.closed, connection.flush().then(() => connection.flush()).then(() => 'open' as const)]);
    return closed === 'open' ? undefined : closed;
  };

  beforeAll(async () => {
    server = await startPublicNatsServer();
    bridge = await connectWith(server.bridgeCreds);
    system = await connectWith(server.systemCreds);
    authority = new PublicNatsAuthority({
      integrationsAccount: await accountOfCreds(server.bridgeCreds),
      accountSigningSeed: server.accountSigningSeed,
      operatorSigningSeed: server.operatorSigningSeed,
      bridge: async () => bridge,
      system: async () => system,
    });
    await authority.ensureOrganizationStream(orgA);
    await authority.ensureOrganizationStream(orgB);
  });

  afterEach(async () => {
    for (const connection of opened.splice(2)) await connection.close().catch(() => undefined);
  });

  afterAll(async () => {
    for (const connection of opened) await connection.close().catch(() => undefined);
    await server?.destroy();
  });

  it('makes each organization one stream of its public events, kept 7 days, oldest discarded, and makes it once', async () => {
    await authority.ensureOrganizationStream(orgA);
    const info = await (await jetstreamManager(bridge)).streams.info(publicEventsStream(orgA));
    expect(info.config).toMatchObject({ subjects: [publicSubjects.organizationEvents(orgA)], storage: 'file', discard: 'old', max_age: PUBLIC_EVENTS_MAX_AGE_MS * 1_000_000 });
    expect(server.integrationsAccount).toBe(await accountOfCreds(server.bridgeCreds));
  });

  it("lets an integration follow its organization's events, live and through its own durable consumer", async () => {
    const crm = await integration(orgA);
    const connection = await crm.connect();
    const live = connection.subscribe(publicSubjects.organizationEvents(orgA), { max: 1 });
    await connection.flush();
    const event = { id: randomUUID(), type: 'ticket.created', organizationId: orgA };
    await jetstream(bridge).publish(publicSubjects.event(orgA, 'ticket.created'), JSON.stringify(event), { msgID: event.id });

    for await (const message of live) expect(message.json()).toEqual(event);

    const manager = await jetstreamManager(connection);
    await manager.consumers.add(publicEventsStream(orgA), { durable_name: 'crm', ack_policy: AckPolicy.Explicit });
    const consumer = await jetstream(connection).consumers.get(publicEventsStream(orgA), 'crm');
    const message = await consumer.next({ expires: 5_000 });
    expect(message?.json()).toEqual(event);
    await message?.ackAck();
    expect((await manager.consumers.info(publicEventsStream(orgA), 'crm')).num_ack_pending).toBe(0);
    await manager.consumers.delete(publicEventsStream(orgA), 'crm');

    // An ordered consumer (made, read and deleted by the client itself) works too.
    const ordered = await jetstream(connection).consumers.get(publicEventsStream(orgA));
    expect((await ordered.next({ expires: 5_000 }))?.json()).toEqual(event);
    await ordered.delete();
  });

  it("refuses an integration another organization's events, stream and consumers", async () => {
    const crm = await integration(orgA);
    const connection = await crm.connect();
    const manager = await jetstreamManager(connection);

    expect(await subscriptionRefusal(connection, publicSubjects.organizationEvents(orgB))).toMatchObject({ name: 'PermissionViolationError' });
    expect(await subscriptionRefusal(connection, 'helpdesk.v1.public.events.>')).toMatchObject({ name: 'PermissionViolationError' });
    expect(await subscriptionRefusal(connection, '>')).toMatchObject({ name: 'PermissionViolationError' });
    await expect(manager.consumers.add(publicEventsStream(orgB), { durable_name: 'spy', ack_policy: AckPolicy.Explicit })).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(manager.streams.info(publicEventsStream(orgB))).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(manager.streams.getMessage(publicEventsStream(orgA), { seq: 1 })).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(manager.streams.add({ name: 'STOLEN', subjects: ['helpdesk.v1.public.events.>'] })).rejects.toThrow(/Permissions Violation for Publish/);
    // The organization's own subjects stay open: the refusals above did not close the connection.
    expect(await subscriptionRefusal(connection, publicSubjects.organizationEvents(orgA))).toBeUndefined();
  });

  it("lets an integration send its own commands only, and read no one else's replies", async () => {
    const crm = await integration(orgA);
    const other = await integration(orgA);
    const answering = bridge.subscribe(publicSubjects.allCommands, {
      callback: (_error, message) => {
        message.respond(JSON.stringify({ result: { subject: message.subject } }));
      },
    });
    await bridge.flush();
    const connection = await crm.connect();

    const own = publicSubjects.command(orgA, crm.integrationId, 'tickets.get');
    expect((await connection.request(own, JSON.stringify({ ticketId: randomUUID() }), { timeout: 5_000 })).json()).toEqual({ result: { subject: own } });
    await expect(connection.request(publicSubjects.command(orgA, other.integrationId, 'tickets.get'), '{}', { timeout: 5_000 })).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(connection.request(publicSubjects.command(orgB, crm.integrationId, 'tickets.get'), '{}', { timeout: 5_000 })).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(connection.request('helpdesk.v1.tickets.create', '{}', { timeout: 5_000 })).rejects.toThrow(/Permissions Violation for Publish/);
    expect(await subscriptionRefusal(connection, `${integrationInboxPrefix(other.integrationId)}.>`)).toMatchObject({ name: 'PermissionViolationError' });
    expect(await subscriptionRefusal(connection, 'helpdesk.v1.events.>')).toMatchObject({ name: 'PermissionViolationError' });
    answering.unsubscribe();
  });

  it("tells the gateway which reply subjects are an integration's own inbox", () => {
    const integrationId = randomUUID();
    expect(isIntegrationReplySubject(integrationId, `${integrationInboxPrefix(integrationId)}.mux.1`)).toBe(true);
    expect(isIntegrationReplySubject(integrationId, publicSubjects.event(orgB, 'ticket.created'))).toBe(false);
    expect(isIntegrationReplySubject(integrationId, `${integrationInboxPrefix(randomUUID())}.mux.1`)).toBe(false);
    expect(isIntegrationReplySubject(integrationId, `${integrationInboxPrefix(integrationId)}.>`)).toBe(false);
    expect(isIntegrationReplySubject(integrationId, undefined)).toBe(false);
  });

  it('disconnects a revoked integration and refuses it from then on, leaving the others connected', async () => {
    const revoked = await integration(orgA);
    const kept = await integration(orgA);
    const revokedConnection = await revoked.connect();
    const keptConnection = await kept.connect();

    await authority.revokeIntegrationCredentials(revoked.userPublicKey);

    await waitFor('the revoked connection to be closed', async () => revokedConnection.isClosed(), 10_000);
    await expect(revoked.connect()).rejects.toThrow(/authorization/i);
    expect(keptConnection.isClosed()).toBe(false);
    expect((await kept.connect()).isClosed()).toBe(false);
    // Revoking again is harmless.
    await authority.revokeIntegrationCredentials(revoked.userPublicKey);

    // The full resolver keeps the revocation over the preloaded (older) account JWT when the server restarts.
    await server.stop();
    await server.resume();
    await expect(revoked.connect()).rejects.toThrow(/authorization/i);
    expect((await kept.connect()).isClosed()).toBe(false);
  });
});
