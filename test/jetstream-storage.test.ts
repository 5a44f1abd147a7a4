import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { eventSubject, EVENTS_STREAM } from '@helpdesk/contracts';
import { TestNatsServer } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentBucketOptions } from '../apps/gateway/src/attachments/attachment-store.js';
import { ensureEventsStream } from '../apps/ticket/src/outbox/events-stream.js';

const MiB = 1024 * 1024;

/**
 * Attachments and events share one JetStream store: on a server with little of it, a full
 * attachment bucket must leave the events stream room to take events.
 */
describe('JetStream storage shared by attachments and events', () => {
  let nats: TestNatsServer;
  let connection: NatsConnection;

  beforeAll(async () => {
    nats = await TestNatsServer.start({ maxFileStore: 24 * MiB });
    connection = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await connection?.close();
    await nats?.destroy();
  });

  it('keeps the events stream writable when the attachment bucket is full', async () => {
    await ensureEventsStream(await jetstreamManager(connection), { replicas: 1, retentionDays: 1, maxBytes: 4 * MiB });
    const bucket = await new Objm(jetstream(connection)).create('attachments', attachmentBucketOptions({ ATTACHMENT_STORE_MAX_BYTES: 16 * MiB }));

    let stored = 0;
    let refusal: unknown;
    while (!refusal && stored < 64) {
      await bucket.putBlob({ name: `upload-${stored}` }, randomBytes(MiB)).then(
        () => stored++,
        (error: unknown) => (refusal = error),
      );
    }

    expect(stored).toBeGreaterThanOrEqual(14);
    expect(stored).toBeLessThan(16);
    expect(String(refusal)).toMatch(/maximum bytes exceeded|insufficient resources|storage/i);
    const ack = await jetstream(connection).publish(eventSubject('ticket.created'), JSON.stringify({ id: 'after-the-bucket-filled' }));
    expect(ack.stream).toBe(EVENTS_STREAM);
  });
});
