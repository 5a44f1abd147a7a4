import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, eventSubject, publicEventsStream, publicSubjects, subjects } from '@helpdesk/contracts';
import { startPublicNatsServer, waitFor, type TestPublicNatsServer } from '@helpdesk/testing';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { decode, encodeActivation, type Account } from '@nats-io/jwt';
import { createAccount, fromSeed } from '@nats-io/nkeys';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { integrationInboxPrefix, isIntegrationReplySubject } from './integration-permissions.js';
import {
  accountOfCreds,
  BRIDGE_INBOX_PREFIX,
  bridgeReplyPrefix,
  generatePublicNatsKeys,
  INTEGRATIONS_ACCOUNT_NAME,
  integrationsAccountClaims,
  integrationsExports,
  ORGANIZATION_JETSTREAM_LIMITS,
  signAccount,
  userCreds,
} from './public-nats-keys.js';
import { publishToOrganizationStream } from './public-event-fan-out.js';
import { PublicNatsAuthority, PUBLIC_EVENTS_MAX_AGE_MS, PUBLIC_EVENTS_MAX_BYTES, type PublicNatsAuthorityOptions } from './public-nats-authority.js';

describe('PublicNatsAuthority (operator-mode public NATS server, an account per organization)', () => {
  let server: TestPublicNatsServer;
  let bridge: NatsConnection;
  let system: NatsConnection;
  let authority: PublicNatsAuthority;
  let options: PublicNatsAuthorityOptions;
  const opened: NatsConnection[] = [];
  const orgA = randomUUID();
  const orgB = randomUUID();

  const connectWith = async (creds: string, inboxPrefix?: string) => {
    const connection = await server.connectAs(creds, { inboxPrefix });
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
  /** Everything delivered to any subject of the organization's account, seen by a user of it with every right. */
  const wiretap = async (organizationId: string) => {
    const { creds } = await userCreds('wiretap', authority.organizationAccount(organizationId), server.accountSigningSeed);
    const connection = await connectWith(creds);
    const seen: Msg[] = [];
    connection.subscribe('>', { callback: (_error, message) => void seen.push(message) });
    await connection.flush();
    return seen;
  };
  const storedCount = (organizationId: string) =>
    authority.withOrganizationAccount(organizationId, async (connection) => (await (await jetstreamManager(connection)).streams.info(publicEventsStream(organizationId))).state.messages);
  /** As the fan-out publishes. */
  const publishEvent = async (organizationId: string, publisher = bridge, event = { id: randomUUID(), type: 'ticket.created', orgId: organizationId }) => {
    const ack = await publishToOrganizationStream(publisher, organizationId, publicSubjects.event(organizationId, 'ticket.created'), JSON.stringify(event), { msgID: event.id });
    return { event, ack };
  };
  /** A round trip on every connection given (the server has handled what they sent), and a pause for the server's own deliveries before checking none came. */
  const settled = async (...connections: NatsConnection[]) => {
    for (const connection of connections) await connection.flush();
    await sleep(300);
    for (const connection of connections) await connection.flush();
  };

  beforeAll(async () => {
    server = await startPublicNatsServer();
    bridge = await connectWith(server.bridgeCreds);
    system = await connectWith(server.systemCreds);
    options = {
      integrationsAccount: await accountOfCreds(server.bridgeCreds),
      accountSigningSeed: server.accountSigningSeed,
      operatorSigningSeed: server.operatorSigningSeed,
      bridge: async () => bridge,
      system: async () => system,
      connectAs: (creds) => server.connectAs(creds),
    };
    authority = new PublicNatsAuthority(options);
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

  it("makes each organization its own account, importing only its organization's subjects, with bounded JetStream", async () => {
    expect(authority.organizationAccount(orgA)).toMatch(/^A[A-Z2-7]{55}$/);
    expect(authority.organizationAccount(orgA)).not.toBe(authority.organizationAccount(orgB));
    // Derived: another replica (another authority with the same keys) names the same account.
    const replica = new PublicNatsAuthority({ ...options });
    expect(replica.organizationAccount(orgA)).toBe(authority.organizationAccount(orgA));

    const reply = await system.request(`$SYS.REQ.ACCOUNT.${authority.organizationAccount(orgA)}.CLAIMS.LOOKUP`, undefined, { timeout: 5_000 });
    const claims = decode<Account>(reply.string());
    expect(claims.nats.limits).toMatchObject(ORGANIZATION_JETSTREAM_LIMITS);
    expect(claims.nats.imports?.map(({ subject, type, account }) => ({ subject, type, account }))).toEqual([
      { subject: publicSubjects.organizationEvents(orgA), type: 'stream', account: server.integrationsAccount },
      { subject: `helpdesk.v1.public.commands.${orgA}.>`, type: 'service', account: server.integrationsAccount },
      { subject: `${bridgeReplyPrefix(orgA)}.>`, type: 'service', account: server.integrationsAccount },
    ]);
    // Each under an activation token signed for this account and this subject only.
    for (const entry of claims.nats.imports ?? []) {
      const token = decode<{ subject: string; issuer_account: string }>(entry.token!);
      expect(token).toMatchObject({ sub: authority.organizationAccount(orgA), nats: { subject: entry.subject, issuer_account: server.integrationsAccount } });
    }
  });

  it("makes each organization one stream of its public events in its account, kept 7 days and under the account's storage, oldest discarded, and makes it once", async () => {
    await authority.ensureOrganizationStream(orgA);
    const info = await authority.withOrganizationAccount(orgA, async (connection) => (await jetstreamManager(connection)).streams.info(publicEventsStream(orgA)));
    expect(info.config).toMatchObject({ subjects: [publicSubjects.organizationEvents(orgA)], storage: 'file', discard: 'old', max_age: PUBLIC_EVENTS_MAX_AGE_MS * 1_000_000, max_bytes: PUBLIC_EVENTS_MAX_BYTES });
    expect(PUBLIC_EVENTS_MAX_BYTES).toBeLessThan(ORGANIZATION_JETSTREAM_LIMITS.disk_storage);
    // Not in INTEGRATIONS any more.
    await expect((await jetstreamManager(bridge)).streams.info(publicEventsStream(orgA))).rejects.toThrow(/stream not found/);
  });

  it('stores an event the bridge publishes in INTEGRATIONS in its organization\'s stream only, acknowledged to the bridge, once', async () => {
    const [beforeA, beforeB] = [await storedCount(orgA), await storedCount(orgB)];
    const { event, ack } = await publishEvent(orgA);
    expect(ack).toMatchObject({ stream: publicEventsStream(orgA), duplicate: false });
    expect((await publishEvent(orgA, bridge, event)).ack).toMatchObject({ stream: publicEventsStream(orgA), duplicate: true });
    // An organization without a stream listens to nothing.
    expect((await publishEvent(randomUUID())).ack).toBe('no stream');
    expect(await storedCount(orgA)).toBe(beforeA + 1);
    expect(await storedCount(orgB)).toBe(beforeB);
  });

  it("lets an integration follow its organization's events, live and through its own durable consumer", async () => {
    const crm = await integration(orgA);
    const connection = await crm.connect();
    const live = connection.subscribe(publicSubjects.organizationEvents(orgA), { max: 1 });
    await connection.flush();
    const { event } = await publishEvent(orgA);

    for await (const message of live) {
      expect(message.json()).toEqual(event);
      // A live event shows the bridge's reply subject: its own organization's, the only one its account routes back.
      expect(message.reply?.startsWith(`${bridgeReplyPrefix(orgA)}.`)).toBe(true);
    }

    const manager = await jetstreamManager(connection);
    await manager.consumers.add(publicEventsStream(orgA), { durable_name: 'crm', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.Last });
    const consumer = await jetstream(connection).consumers.get(publicEventsStream(orgA), 'crm');
    const message = await consumer.next({ expires: 5_000 });
    expect(message?.json()).toEqual(event);
    await message?.ackAck();
    expect((await manager.consumers.info(publicEventsStream(orgA), 'crm')).num_ack_pending).toBe(0);
    await manager.consumers.delete(publicEventsStream(orgA), 'crm');

    // An ordered consumer (made, read and deleted by the client itself) works too.
    const ordered = await jetstream(connection).consumers.get(publicEventsStream(orgA), { deliver_policy: DeliverPolicy.Last });
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

  it("refuses an integration the platform's internal subjects: its commands, its events and their stream", async () => {
    const crm = await integration(orgA);
    const connection = await crm.connect();
    const manager = await jetstreamManager(connection);

    for (const internal of [subjects.tickets.create, subjects.users.list, subjects.natsIntegrations.verify, eventSubject('ticket.created')]) {
      await expect(connection.request(internal, '{}', { timeout: 5_000 }), internal).rejects.toThrow(/Permissions Violation for Publish/);
    }
    for (const internal of [`${EVENT_SUBJECT_PREFIX}.>`, 'helpdesk.v1.ticket.>', '_INBOX.>']) {
      expect(await subscriptionRefusal(connection, internal), internal).toMatchObject({ name: 'PermissionViolationError' });
    }
    await expect(manager.streams.info(EVENTS_STREAM)).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(manager.consumers.add(EVENTS_STREAM, { durable_name: 'spy', ack_policy: AckPolicy.Explicit })).rejects.toThrow(/Permissions Violation for Publish/);
    // Its own organization's subjects stay open.
    expect(await subscriptionRefusal(connection, publicSubjects.organizationEvents(orgA))).toBeUndefined();
  });

  it("delivers nothing to another organization through a push consumer's deliver subject or a pull request's reply subject", async () => {
    const attacker = await integration(orgA);
    const victim = await integration(orgB);
    const victimConnection = await victim.connect();
    const victimLive: Msg[] = [];
    victimConnection.subscribe(publicSubjects.organizationEvents(orgB), { callback: (_error, message) => void victimLive.push(message) });
    await victimConnection.flush();
    const victimAccount = await wiretap(orgB);
    const attackerAccount = await wiretap(orgA);
    const victimStored = await storedCount(orgB);
    await publishEvent(orgA);
    await publishEvent(orgA);

    const connection = await attacker.connect();
    const manager = await jetstreamManager(connection);
    const stream = publicEventsStream(orgA);
    // What worked in the shared account: the server copied A's events to B's subjects (measured on 2.9.10).
    await manager.consumers.add(stream, { durable_name: 'push-to-b', deliver_subject: publicSubjects.event(orgB, 'ticket.created'), ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
    await manager.consumers.add(stream, { durable_name: 'pull-to-b', ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
    connection.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.pull-to-b`, JSON.stringify({ batch: 10, no_wait: true }), { reply: publicSubjects.event(orgB, 'ticket.updated') });
    // Nor to the bridge's replies for B's publishes (spoofed acknowledgements): A's account routes back only its own.
    let atBridge = 0;
    const bridgeInbox = bridge.subscribe(`${BRIDGE_INBOX_PREFIX}.>`, { callback: () => void (atBridge += 1) });
    await bridge.flush();
    await manager.consumers.add(stream, { durable_name: 'pull-to-bridge', ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
    connection.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.pull-to-bridge`, JSON.stringify({ batch: 1, no_wait: true }), { reply: `${bridgeReplyPrefix(orgB)}.spoofed` });
    await waitFor('the spoofing pull to be served', async () => (await manager.consumers.info(stream, 'pull-to-bridge')).delivered.consumer_seq > 0, 10_000);
    await settled(connection, bridge);
    expect(atBridge).toBe(0);
    bridgeInbox.unsubscribe();
    // The pull request was served, to that subject in A's own account (where a user of A with every right listens)...
    await waitFor('the pull request to be served', async () => (await manager.consumers.info(stream, 'pull-to-b')).delivered.consumer_seq > 0, 10_000);
    await settled(connection);
    expect(attackerAccount.map((message) => message.subject)).toContain(publicSubjects.event(orgB, 'ticket.updated'));
    // ...the push consumer has no one to deliver to: B's subscription is in B's account, not a subject of A's.
    expect((await manager.consumers.info(stream, 'push-to-b')).push_bound).toBeFalsy();
    // ...and nothing reached B: not its integration's subscription, not any subject of its account, not its stream.
    expect(victimLive).toEqual([]);
    // (The JetStream API traffic of B's own stream checks aside.)
    expect(victimAccount.map((message) => message.subject).filter((subject) => !subject.startsWith('$JS.') && !subject.startsWith('_INBOX.'))).toEqual([]);
    expect(await storedCount(orgB)).toBe(victimStored);
    // B's subscription was listening all along: its own organization's next event reaches it.
    const { event } = await publishEvent(orgB);
    await waitFor("B's own event", async () => victimLive.length > 0, 5_000);
    expect(victimLive.map((message) => message.json())).toEqual([event]);
  });

  it('answers an integration\'s commands through INTEGRATIONS, to the requester only, and takes none for another organization', async () => {
    const crm = await integration(orgA);
    const other = await integration(orgA);
    const foreign = await integration(orgB);
    const answered: string[] = [];
    const responder = bridge.subscribe(publicSubjects.allCommands, {
      queue: 'gateway-public-commands',
      callback: (_error, message) => {
        const integrationId = message.subject.split('.')[5]!;
        answered.push(message.reply ?? '');
        if (isIntegrationReplySubject(integrationId, message.reply)) message.respond(JSON.stringify({ result: { subject: message.subject } }));
      },
    });
    await bridge.flush();
    const accountA = await wiretap(orgA);
    const accountB = await wiretap(orgB);
    const connection = await crm.connect();
    const foreignConnection = await foreign.connect();

    const own = publicSubjects.command(orgA, crm.integrationId, 'tickets.get');
    const theirs = publicSubjects.command(orgB, foreign.integrationId, 'tickets.get');
    const [mine, its] = await Promise.all([
      connection.request(own, JSON.stringify({ ticketId: randomUUID() }), { timeout: 5_000 }),
      foreignConnection.request(theirs, JSON.stringify({ ticketId: randomUUID() }), { timeout: 5_000 }),
    ]);
    expect(mine.json()).toEqual({ result: { subject: own } });
    expect(its.json()).toEqual({ result: { subject: theirs } });
    // The gateway saw NATS's mapped replies, never the requester's own subject.
    expect(answered).toHaveLength(2);
    for (const reply of answered) expect(reply).toMatch(/^_R_\./);
    await settled(connection, foreignConnection, bridge);
    // In A's account the answer went to the requester's inbox only; B's account saw only its own exchange.
    expect(accountA.filter((message) => message.subject.startsWith('_INBOX_')).map((message) => message.subject.split('.')[0])).toEqual([integrationInboxPrefix(crm.integrationId)]);
    expect(accountB.some((message) => message.subject === own || message.string().includes(own))).toBe(false);

    // Permissions: its own integration id only, no other organization, nothing internal, no one else's replies.
    await expect(connection.request(publicSubjects.command(orgA, other.integrationId, 'tickets.get'), '{}', { timeout: 5_000 })).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(connection.request(publicSubjects.command(orgB, crm.integrationId, 'tickets.get'), '{}', { timeout: 5_000 })).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(connection.request(subjects.tickets.create, '{}', { timeout: 5_000 })).rejects.toThrow(/Permissions Violation for Publish/);
    expect(await subscriptionRefusal(connection, `${integrationInboxPrefix(other.integrationId)}.>`)).toMatchObject({ name: 'PermissionViolationError' });
    // And the account itself has no route to another organization's commands, whatever a user's rights.
    // (A's wiretap, subscribed to everything, is the only one there to hear it: the request times out.)
    await expect(authority.withOrganizationAccount(orgA, (admin) => admin.request(publicSubjects.command(orgB, foreign.integrationId, 'tickets.get'), '{}', { timeout: 1_000 }))).rejects.toThrow(/timeout/);
    expect(answered).toHaveLength(2);
    responder.unsubscribe();
  });

  it("tells the gateway which reply subjects are a requester's", () => {
    const integrationId = randomUUID();
    expect(isIntegrationReplySubject(integrationId, '_R_.DJkqlF.KXrcgn')).toBe(true);
    expect(isIntegrationReplySubject(integrationId, `${integrationInboxPrefix(integrationId)}.mux.1`)).toBe(true);
    expect(isIntegrationReplySubject(integrationId, publicSubjects.event(orgB, 'ticket.created'))).toBe(false);
    expect(isIntegrationReplySubject(integrationId, `${integrationInboxPrefix(randomUUID())}.mux.1`)).toBe(false);
    expect(isIntegrationReplySubject(integrationId, `${integrationInboxPrefix(integrationId)}.>`)).toBe(false);
    expect(isIntegrationReplySubject(integrationId, '_R_.>')).toBe(false);
    expect(isIntegrationReplySubject(integrationId, undefined)).toBe(false);
  });

  it('disconnects a revoked integration and refuses it from then on, leaving the others connected', async () => {
    const revoked = await integration(orgA);
    const kept = await integration(orgA);
    const revokedConnection = await revoked.connect();
    const keptConnection = await kept.connect();

    await authority.revokeIntegrationCredentials(revoked.userPublicKey, orgA);

    await waitFor('the revoked connection to be closed', async () => revokedConnection.isClosed(), 10_000);
    await expect(revoked.connect()).rejects.toThrow(/authorization/i);
    expect(keptConnection.isClosed()).toBe(false);
    expect((await kept.connect()).isClosed()).toBe(false);
    // Revoking again is harmless; so is the one-argument form, which looks in every account.
    await authority.revokeIntegrationCredentials(revoked.userPublicKey, orgA);
    const revokedWithoutOrganization = await integration(orgB);
    const itsConnection = await revokedWithoutOrganization.connect();
    await authority.revokeIntegrationCredentials(revokedWithoutOrganization.userPublicKey);
    await waitFor('the other revoked connection to be closed', async () => itsConnection.isClosed(), 10_000);
    await expect(revokedWithoutOrganization.connect()).rejects.toThrow(/authorization/i);

    // The full resolver keeps the revocations and the organization accounts when the server restarts.
    await server.stop();
    await server.resume();
    await expect(revoked.connect()).rejects.toThrow(/authorization/i);
    await expect(revokedWithoutOrganization.connect()).rejects.toThrow(/authorization/i);
    const afterRestart = await kept.connect();
    const live = afterRestart.subscribe(publicSubjects.organizationEvents(orgA), { max: 1 });
    await afterRestart.flush();
    const { event } = await publishEvent(orgA, await connectWith(server.bridgeCreds));
    for await (const message of live) expect(message.json()).toEqual(event);
  });
});

describe('PublicNatsAuthority on a public server made before accounts per organization', () => {
  let server: TestPublicNatsServer;
  const opened: NatsConnection[] = [];

  beforeAll(async () => {
    const keys = await generatePublicNatsKeys();
    const signingKey = fromSeed(new TextEncoder().encode(keys.integrationsAccount.signingSeed)).getPublicKey();
    // The INTEGRATIONS account as it was: no exports.
    keys.integrationsAccount.jwt = await signAccount(INTEGRATIONS_ACCOUNT_NAME, keys.integrationsAccount.publicKey, { ...integrationsAccountClaims(signingKey), exports: undefined }, keys.operator.signingSeed);
    server = await startPublicNatsServer({ keys });
  });

  afterAll(async () => {
    for (const connection of opened) await connection.close().catch(() => undefined);
    await server?.destroy();
  });

  it("adds INTEGRATIONS' exports, then an organization's integration receives its events", async () => {
    const connectWith = async (creds: string, inboxPrefix?: string) => {
      const connection = await server.connectAs(creds, { inboxPrefix });
      opened.push(connection);
      return connection;
    };
    const bridge = await connectWith(server.bridgeCreds);
    const system = await connectWith(server.systemCreds);
    const authority = new PublicNatsAuthority({
      integrationsAccount: server.integrationsAccount,
      accountSigningSeed: server.accountSigningSeed,
      operatorSigningSeed: server.operatorSigningSeed,
      bridge: async () => bridge,
      system: async () => system,
      connectAs: (creds) => server.connectAs(creds),
    });
    const organizationId = randomUUID();
    const integrationId = randomUUID();
    await authority.ensureOrganizationStream(organizationId);
    const { creds } = await authority.issueIntegrationCredentials({ organizationId, integrationId, name: 'CRM' });

    const integrations = decode<Account>((await system.request(`$SYS.REQ.ACCOUNT.${server.integrationsAccount}.CLAIMS.LOOKUP`, undefined, { timeout: 5_000 })).string());
    expect(integrations.nats.exports?.map((entry) => [entry.subject, entry.type, entry.token_req])).toEqual(integrationsExports().map((entry) => [entry.subject, entry.type, true]));

    const connection = await connectWith(creds, integrationInboxPrefix(integrationId));
    const live = connection.subscribe(publicSubjects.organizationEvents(organizationId), { max: 1 });
    await connection.flush();
    const event = { id: randomUUID(), type: 'ticket.created', orgId: organizationId };
    const ack = await publishToOrganizationStream(bridge, organizationId, publicSubjects.event(organizationId, 'ticket.created'), JSON.stringify(event), { msgID: event.id });
    expect(ack).toMatchObject({ stream: publicEventsStream(organizationId) });
    for await (const message of live) expect(message.json()).toEqual(event);
  });

  it("refuses an account whose import names another organization's events under a token made for its own", async () => {
    const system = await server.connectAs(server.systemCreds);
    opened.push(system);
    const [own, other] = [randomUUID(), randomUUID()];
    const forged = createAccount().getPublicKey();
    const token = await encodeActivation('public events', forged, server.integrationsAccount, 'stream', { subject: publicSubjects.organizationEvents(own) }, {
      signer: fromSeed(new TextEncoder().encode(server.accountSigningSeed)),
    });
    const jwt = await signAccount('forged', forged, {
      imports: [{ name: 'public events', subject: publicSubjects.organizationEvents(other), account: server.integrationsAccount, type: 'stream', token }],
    }, server.operatorSigningSeed);
    const reply = (await system.request('$SYS.REQ.CLAIMS.UPDATE', jwt, { timeout: 5_000 })).json<{ error?: { description?: string } }>();
    expect(reply.error?.description).toMatch(/activation token import subject .* doesn't match import/);
  });
});
