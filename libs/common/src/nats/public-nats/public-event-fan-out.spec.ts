import { randomUUID } from 'node:crypto';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, PUBLIC_EVENTS_CONSUMER, publicEventsStream, publicSubjects, type EventEnvelope, type EventType } from '@helpdesk/contracts';
import { startPublicNatsServer, TestNatsServer, waitFor, type TestPublicNatsServer } from '@helpdesk/testing';
import { jetstream, jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicNatsAuthority } from './public-nats-authority.js';
import { PublicEventFanOut } from './public-event-fan-out.js';

const silentLogger = { log: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined } as never;

describe('PublicEventFanOut: HELPDESK_EVENTS to the public NATS server', () => {
  let internalServer: TestNatsServer;
  let publicServer: TestPublicNatsServer;
  let internal: NatsConnection;
  let bridge: NatsConnection;
  let system: NatsConnection;
  let fanOut: PublicEventFanOut;
  let authority: PublicNatsAuthority;
  const withIntegration = randomUUID();
  const withoutIntegration = randomUUID();
  let sequence = 0;

  const event = (type: EventType, orgId: string): EventEnvelope => ({
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, ++sequence)).toISOString(),
    orgId,
    aggregateId: randomUUID(),
    actor: { system: 'test' },
    data: { note: `événement ${sequence}` },
  });
  /** Published as the ticket service's relay does: the envelope as JSON, with the publisher's trace context. */
  const publishInternal = async (envelope: EventEnvelope, traceparent?: string) => {
    const carried = headers();
    if (traceparent) carried.set('traceparent', traceparent);
    await jetstream(internal).publish(`${EVENT_SUBJECT_PREFIX}.${envelope.type}`, JSON.stringify(envelope), { headers: carried });
  };
  /** What the organization's stream holds (in its account: read as the authority's own user there). */
  const storedIn = (organizationId: string) =>
    authority.withOrganizationAccount(organizationId, async (connection) => {
      const manager = await jetstreamManager(connection);
      const stream = publicEventsStream(organizationId);
      const { state } = await manager.streams.info(stream);
      const messages: StoredMsg[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const message = await manager.streams.getMessage(stream, { seq });
        if (message) messages.push(message);
      }
      return messages;
    });
  const internalConsumerSettled = async () => {
    const info = await (await jetstreamManager(internal)).consumers.info(EVENTS_STREAM, PUBLIC_EVENTS_CONSUMER);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  };

  beforeAll(async () => {
    [internalServer, publicServer] = await Promise.all([TestNatsServer.start(), startPublicNatsServer()]);
    internal = await connect({ servers: internalServer.url });
    await (await jetstreamManager(internal)).streams.add({ name: EVENTS_STREAM, subjects: [`${EVENT_SUBJECT_PREFIX}.>`] });
    bridge = await publicServer.connectAs(publicServer.bridgeCreds, { reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    system = await publicServer.connectAs(publicServer.systemCreds);
    authority = new PublicNatsAuthority({
      integrationsAccount: publicServer.integrationsAccount,
      accountSigningSeed: publicServer.accountSigningSeed,
      operatorSigningSeed: publicServer.operatorSigningSeed,
      bridge: async () => bridge,
      system: async () => system,
      connectAs: (creds) => publicServer.connectAs(creds),
    });
    await authority.ensureOrganizationStream(withIntegration);
    fanOut = new PublicEventFanOut({
      internal: { client: async () => jetstream(internal), manager: async () => jetstreamManager(internal) },
      publicConnection: async () => bridge,
      publishTimeoutMs: 2_000,
      retryMs: 100,
      logger: silentLogger,
    });
    fanOut.start();
    await fanOut.ready;
  });

  afterAll(async () => {
    await fanOut?.stop();
    for (const connection of [internal, bridge, system]) await connection?.close().catch(() => undefined);
    await internalServer?.destroy();
    await publicServer?.destroy();
  });

  it("republishes an organization's public events into its stream as they came, once, with their id and trace, and never an internal one", async () => {
    const created = event('ticket.created', withIntegration);
    const breached = event('ticket.sla.breached', withIntegration);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

    await publishInternal(created, traceparent);
    await publishInternal(event('auth.password_reset_requested', withIntegration));
    await publishInternal(event('ticket.notification_requested', withIntegration));
    await publishInternal(breached);
    await publishInternal(created); // the relay published it twice (a retry after a lost ack)
    await waitFor('the fan-out to handle every event', internalConsumerSettled, 10_000);

    const stored = await storedIn(withIntegration);
    expect(stored.map((message) => message.subject)).toEqual([publicSubjects.event(withIntegration, 'ticket.created'), publicSubjects.event(withIntegration, 'ticket.sla.breached')]);
    expect(stored[0]!.string()).toBe(JSON.stringify(created));
    expect(stored[0]!.header.get('Nats-Msg-Id')).toBe(created.id);
    expect(stored[0]!.header.get('traceparent')).toBe(traceparent);
    expect(stored[1]!.json()).toEqual(breached);
  });

  it('skips (and acknowledges) the events of an organization without integrations, and keeps organizations apart', async () => {
    const before = (await storedIn(withIntegration)).length;
    await publishInternal(event('ticket.created', withoutIntegration));
    const own = event('comment.created', withIntegration);
    await publishInternal(own);
    await waitFor('the fan-out to handle every event', internalConsumerSettled, 10_000);

    const stored = await storedIn(withIntegration);
    expect(stored.slice(before).map((message) => message.json())).toEqual([own]);
    // Nothing was made for it: no account (its users are refused), so no stream.
    await expect(authority.withOrganizationAccount(withoutIntegration, async () => undefined)).rejects.toThrow(/authorization/i);
  });

  it("keeps each organization's events in the order they came", async () => {
    const before = (await storedIn(withIntegration)).length;
    const burst = Array.from({ length: 60 }, (_, index) => event(index % 2 ? 'ticket.updated' : 'comment.created', withIntegration));
    await Promise.all(burst.map((envelope) => jetstream(internal).publish(`${EVENT_SUBJECT_PREFIX}.${envelope.type}`, JSON.stringify(envelope))));
    const published = await (async () => {
      // The order the internal stream holds them in (concurrent publishes may be stored in any order).
      const manager = await jetstreamManager(internal);
      const { state } = await manager.streams.info(EVENTS_STREAM);
      const ids: string[] = [];
      for (let seq = state.last_seq - burst.length + 1; seq <= state.last_seq; seq++) ids.push((await manager.streams.getMessage(EVENTS_STREAM, { seq }))!.json<EventEnvelope>().id);
      return ids;
    })();
    await waitFor('the fan-out to handle every event', internalConsumerSettled, 20_000);

    const stored = (await storedIn(withIntegration)).slice(before).map((message) => message.json<EventEnvelope>().id);
    expect(stored).toEqual(published);
  });

  it('keeps an event while the public server is down and delivers it once it is back', async () => {
    const before = (await storedIn(withIntegration)).length;
    await publicServer.stop();
    const duringOutage = event('ticket.status_changed', withIntegration);
    await publishInternal(duringOutage);
    await waitFor('a failed delivery', async () => (await (await jetstreamManager(internal)).consumers.info(EVENTS_STREAM, PUBLIC_EVENTS_CONSUMER)).num_redelivered > 0, 20_000, 200);

    await publicServer.resume();

    await waitFor('the event in the public stream', async () => (await storedIn(withIntegration).catch(() => [])).length > before, 30_000, 200);
    expect((await storedIn(withIntegration)).slice(before).map((message) => message.json())).toEqual([duringOutage]);
    await waitFor('the fan-out to acknowledge it', internalConsumerSettled, 10_000);
  });
});
