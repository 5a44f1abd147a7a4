import { readFileSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm, StorageType } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommandSubjects, eventSubject, EVENTS_STREAM, INBOUND_MAIL_BUCKET, NATS_ACCESS, NOTIFICATION_EVENTS_CONSUMER, SERVICE_NAMES, subjectOwner, subjects, TRIGGER_EVENTS_CONSUMER, type ServiceName } from '@helpdesk/contracts';
import { TestNatsServer } from '@helpdesk/testing';
import { renderNatsValues } from '../../../../scripts/nats-values.js';
import { natsConnectionOptions } from './nats-options.js';

const PERMISSION_DENIED = /permissions violation/i;

describe('NATS permissions declared in the contracts', () => {
  it('give every command subject an answering service and at least one caller', () => {
    const called = new Set(SERVICE_NAMES.flatMap((service) => NATS_ACCESS[service].calls));
    const fireAndForget: string[] = [subjects.notifications.adminAlert];
    const commands = allCommandSubjects().filter((subject) => !fireAndForget.includes(subject));
    expect(commands.filter((subject) => !subjectOwner(subject))).toEqual([]);
    expect(commands.filter((subject) => !called.has(subject))).toEqual([]);
  });

  it('are what k8s/nats/nats-values.yaml holds (npm run nats:values)', () => {
    expect(readFileSync(new URL('../../../../k8s/nats/nats-values.yaml', import.meta.url), 'utf8')).toBe(renderNatsValues());
  });

  it('send the operator who would expose NATS to integrations to the public server, keeping this cluster internal', () => {
    const values = renderNatsValues();
    expect(values).toMatch(/^# This cluster is internal: keep its Service a ClusterIP/m);
    expect(values).toContain('k8s/nats/nats-public-values.yaml');
    expect(values).toContain('"Exposing NATS to integrations"');
    expect(readFileSync(new URL('../../../../k8s/nats/nats-public-values.yaml', import.meta.url), 'utf8')).toMatch(/type: LoadBalancer/);
    expect(readFileSync(new URL('../../../../docs/deployment.md', import.meta.url), 'utf8')).toMatch(/^## Exposing NATS to integrations$/m);
    expect(values).not.toMatch(/LoadBalancer|NodePort/);
  });
});

describe('per-service NATS users on a real nats-server', () => {
  let nats: TestNatsServer;
  const connections: NatsConnection[] = [];
  const connectAs = async (service: ServiceName) => {
    const connection = await connect(natsConnectionOptions({ NATS_URL: nats.urlFor(service) }, service, `${service}-permissions-test`));
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    nats = await TestNatsServer.start({ serviceUsers: true, refuseAnonymous: true });
    const ticket = await connectAs('ticket');
    await jetstreamManager(ticket).then((manager) => manager.streams.add({ name: EVENTS_STREAM, subjects: [eventSubject('>' as never)] }));
  });

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await nats?.destroy();
  });

  it('refuses a client without credentials', async () => {
    await expect(connect({ servers: `nats://127.0.0.1:${nats.port}` })).rejects.toThrow(/authorization/i);
  });

  it("keeps a service's replies in its own inbox, which no other service may read", async () => {
    const ticket = await connectAs('ticket');
    ticket.subscribe(subjects.auth.me, { callback: (_error, message) => void message.respond(JSON.stringify({ refreshToken: 'only-for-the-gateway' })) });
    await ticket.flush();
    const gateway = await connectAs('gateway');
    const realtime = await connectAs('realtime');
    const eavesdropper = realtime.subscribe(`_INBOX_gateway.>`);
    const everyInbox = realtime.subscribe('_INBOX.>');

    const reply = await gateway.request(subjects.auth.me, '{}', { timeout: 2_000 });

    expect(reply.subject).toMatch(/^_INBOX_gateway\./);
    expect(reply.json()).toEqual({ refreshToken: 'only-for-the-gateway' });
    expect(String(await eavesdropper.closed)).toMatch(PERMISSION_DENIED);
    expect(String(await everyInbox.closed)).toMatch(PERMISSION_DENIED);
  });

  it('lets only the gateway start a session, and refuses every subject a service does not call', async () => {
    const ticket = await connectAs('ticket');
    ticket.subscribe(subjects.auth.issueRefreshToken, { queue: 'ticket', callback: (_error, message) => void message.respond('{"issued":true}') });
    await ticket.flush();

    expect((await (await connectAs('gateway')).request(subjects.auth.issueRefreshToken, '{}', { timeout: 2_000 })).json()).toEqual({ issued: true });
    for (const service of ['notification', 'realtime', 'ai-proxy'] as const) {
      await expect((await connectAs(service)).request(subjects.auth.issueRefreshToken, '{}', { timeout: 2_000 })).rejects.toThrow(PERMISSION_DENIED);
    }
    await expect((await connectAs('ai-proxy')).request(subjects.users.deactivate, '{}', { timeout: 2_000 })).rejects.toThrow(PERMISSION_DENIED);
    await expect((await connectAs('gateway')).request('helpdesk.v1.unlisted.subject', '{}', { timeout: 2_000 })).rejects.toThrow(PERMISSION_DENIED);
  });

  it('lets realtime read events with its own consumers, but not delete the stream or touch the notification consumer', async () => {
    const notification = await connectAs('notification');
    await (await jetstreamManager(notification)).consumers.add(EVENTS_STREAM, { durable_name: NOTIFICATION_EVENTS_CONSUMER, ack_policy: AckPolicy.Explicit });
    await jetstream(await connectAs('ticket')).publish(eventSubject('ticket.created'), JSON.stringify({ id: 'event-1' }));
    const realtime = await connectAs('realtime');
    const manager = await jetstreamManager(realtime);

    const ordered = await jetstream(realtime).consumers.get(EVENTS_STREAM, { filter_subjects: eventSubject('>' as never) });
    expect((await ordered.next({ expires: 2_000 }))?.json()).toEqual({ id: 'event-1' });
    await expect(manager.streams.delete(EVENTS_STREAM)).rejects.toThrow(PERMISSION_DENIED);
    await expect(manager.streams.purge(EVENTS_STREAM)).rejects.toThrow(PERMISSION_DENIED);
    await expect(manager.consumers.delete(EVENTS_STREAM, NOTIFICATION_EVENTS_CONSUMER)).rejects.toThrow(PERMISSION_DENIED);
    await expect(jetstream(realtime).consumers.get(EVENTS_STREAM, NOTIFICATION_EVENTS_CONSUMER).then((consumer) => consumer.next({ expires: 1_000 }))).rejects.toThrow(PERMISSION_DENIED);
    expect((await (await jetstreamManager(notification)).streams.info(EVENTS_STREAM)).state.messages).toBe(1);
  });

  it('lets a service acknowledge what its durable consumer delivered, as a reply to that delivery, and refuses any other ack of that consumer', async () => {
    const ticket = await connectAs('ticket');
    const manager = await jetstreamManager(ticket);
    await manager.consumers.add(EVENTS_STREAM, { durable_name: TRIGGER_EVENTS_CONSUMER, ack_policy: AckPolicy.Explicit, filter_subject: eventSubject('ticket.updated') });
    await jetstream(ticket).publish(eventSubject('ticket.updated'), JSON.stringify({ id: 'event-to-ack' }));

    const message = await (await jetstream(ticket).consumers.get(EVENTS_STREAM, TRIGGER_EVENTS_CONSUMER)).next({ expires: 2_000 });

    expect(message?.json()).toEqual({ id: 'event-to-ack' });
    // ackAck waits for the server's confirmation: the ack went through on allow_responses alone.
    expect(await message!.ackAck()).toBe(true);
    expect((await manager.consumers.info(EVENTS_STREAM, TRIGGER_EVENTS_CONSUMER)).num_ack_pending).toBe(0);
    // The consumer's ack subjects are not allowed as such: one of a message never delivered to this connection is refused.
    await expect(ticket.request(`$JS.ACK.${EVENTS_STREAM}.${TRIGGER_EVENTS_CONSUMER}.1.99.99.0.0`, '', { timeout: 2_000 })).rejects.toThrow(PERMISSION_DENIED);
  });

  it('lets only the notification service open tickets on behalf of a mail sender, and only the gateway and it use the inbound-mail bucket', async () => {
    const ticket = await connectAs('ticket');
    ticket.subscribe(subjects.emailChannel.createTicket, { queue: 'ticket', callback: (_error, message) => void message.respond('{"created":true}') });
    await ticket.flush();
    expect((await (await connectAs('notification')).request(subjects.emailChannel.createTicket, '{}', { timeout: 2_000 })).json()).toEqual({ created: true });
    for (const service of ['gateway', 'realtime', 'ai-proxy'] as const) {
      await expect((await connectAs(service)).request(subjects.emailChannel.createTicket, '{}', { timeout: 2_000 })).rejects.toThrow(PERMISSION_DENIED);
    }

    const written = await new Objm(await connectAs('gateway')).create(INBOUND_MAIL_BUCKET, { storage: StorageType.File });
    await written.putBlob({ name: 'mailbox/raw-1' }, new TextEncoder().encode('From: a@example.com\r\n\r\nhello'));
    const read = await new Objm(await connectAs('notification')).create(INBOUND_MAIL_BUCKET, { storage: StorageType.File });
    expect(new TextDecoder().decode((await read.getBlob('mailbox/raw-1'))!)).toContain('hello');
    await expect(new Objm(await connectAs('realtime')).open(INBOUND_MAIL_BUCKET).then((store) => store.getBlob('mailbox/raw-1'))).rejects.toThrow(PERMISSION_DENIED);
  });
});
