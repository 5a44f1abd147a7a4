import { Logger } from '@nestjs/common';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, type EventEnvelope } from '@helpdesk/contracts';
import { TestNatsServer, waitFor } from '@helpdesk/testing';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '../errors/command-error.js';
import { DurableEventConsumer, type DurableEventConsumerOptions } from './durable-event-consumer.js';

/** Keeps what the consumer logs, so the test can read its warnings and CRITICAL lines. */
class RecordingLogger extends Logger {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  override warn(message: unknown): void {
    this.warnings.push(typeof message === 'string' ? message : JSON.stringify(message));
  }
  override error(message: unknown): void {
    this.errors.push(typeof message === 'string' ? message : JSON.stringify(message));
  }
  override log(): void {}
  override debug(): void {}
}

const envelope = (type: EventEnvelope['type'], mark: string): EventEnvelope => ({
  id: randomUUID(),
  type,
  version: 1,
  occurredAt: new Date().toISOString(),
  orgId: randomUUID(),
  aggregateId: randomUUID(),
  actor: { system: 'test' },
  data: { mark },
});

/** The shared consumer of HELPDESK_EVENTS (notification mails, ticket triggers) on a real nats-server of its own. */
describe('DurableEventConsumer', () => {
  let nats: TestNatsServer;
  let connection: NatsConnection;
  const consumers: DurableEventConsumer[] = [];
  /** As a service's registry: every consumer of the test reports into it. */
  const registry = new Registry();
  const sample = async (metric: string, durable: string) => {
    const line = (await registry.metrics()).split('\n').find((text) => text.startsWith(`${metric}{consumer="${durable}"} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };
  const jetStream = { client: async () => jetstream(connection), manager: async () => jetstreamManager(connection) };

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    connection = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await connection?.close();
    await nats?.destroy();
  });

  const publish = async (event: EventEnvelope) => jetstream(connection).publish(`${EVENT_SUBJECT_PREFIX}.${event.type}`, JSON.stringify(event));
  const start = (options: Partial<DurableEventConsumerOptions> & Pick<DurableEventConsumerOptions, 'handle'>) => {
    const logger = new RecordingLogger();
    const durable = `test-${randomUUID().slice(0, 8)}`;
    const consumer = new DurableEventConsumer(jetStream, {
      config: { durable_name: durable, filter_subject: `${EVENT_SUBJECT_PREFIX}.>`, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, max_deliver: 3, ack_wait: 30_000_000_000 },
      inParallel: 4,
      retryMs: 100,
      lossOnFailure: 'its work is lost',
      logger,
      metricsRegistry: registry,
      ...options,
    });
    consumers.push(consumer);
    consumer.start();
    return { consumer, logger, durable };
  };
  /** Idempotent: the same configuration again is accepted. */
  const addStream = async () => (await jetstreamManager(connection)).streams.add({ name: EVENTS_STREAM, subjects: [`${EVENT_SUBJECT_PREFIX}.>`] });
  const pending = async (durable: string) => {
    const info = await (await jetstreamManager(connection)).consumers.info(EVENTS_STREAM, durable);
    return { ackPending: info.num_ack_pending, waiting: info.num_pending, redelivered: info.num_redelivered };
  };

  it('waits for the stream, then handles each event once and acknowledges it', async () => {
    const handled: string[] = [];
    const { consumer, logger, durable } = start({ handle: async (event) => void handled.push((event.data as { mark: string }).mark) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logger.warnings.some((line) => line.includes(`Waiting for the ${EVENTS_STREAM} stream`))).toBe(true);
    await addStream();
    await consumer.ready;
    for (const mark of ['a', 'b', 'c']) await publish(envelope('ticket.created', mark));
    await waitFor('three events handled', async () => (handled.length >= 3 ? true : undefined));
    expect(handled.sort()).toEqual(['a', 'b', 'c']);
    await waitFor('every event acknowledged', async () => ((await pending(durable)).ackPending === 0 ? true : undefined));
    expect(await pending(durable)).toEqual({ ackPending: 0, waiting: 0, redelivered: 0 });
  });

  it('reports its lag (events not yet delivered, and awaiting acknowledgement) as metrics labelled with its name', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { consumer, durable } = start({ handle: () => held.then(() => undefined), inParallel: 1 });
    await addStream();
    await consumer.ready;
    for (const mark of ['1', '2', '3', '4', '5']) await publish(envelope('ticket.created', mark));
    // One event in hand and the other four delivered into the pull batch: all five await acknowledgement, none is left undelivered.
    await waitFor('the lag reported', async () => ((await sample('helpdesk_event_consumer_ack_pending', durable)) === 5 ? true : undefined));
    expect(await sample('helpdesk_event_consumer_pending', durable)).toBe(0);
    expect(await pending(durable)).toMatchObject({ ackPending: 5, waiting: 0 });
    release();
    await waitFor('the lag gone', async () => ((await sample('helpdesk_event_consumer_pending', durable)) === 0 && (await sample('helpdesk_event_consumer_ack_pending', durable)) === 0 ? true : undefined));
  });

  it('hands a failed event back and handles it again; after the last delivery says what is lost', async () => {
    const attempts = new Map<string, number>();
    const { consumer, logger, durable } = start({
      handle: async (event) => {
        const mark = (event.data as { mark: string }).mark;
        attempts.set(mark, (attempts.get(mark) ?? 0) + 1);
        if (mark === 'flaky' && attempts.get(mark) === 1) throw new Error('database busy');
        if (mark === 'broken') throw new Error('always fails');
        return `handled ${mark}`;
      },
    });
    await addStream();
    await consumer.ready;
    await publish(envelope('ticket.updated', 'flaky'));
    await publish(envelope('ticket.updated', 'broken'));
    await waitFor('the flaky event handled on its second delivery', async () => (attempts.get('flaky') === 2 ? true : undefined));
    await waitFor('the broken event delivered three times', async () => (logger.errors.length > 0 ? true : undefined), 20_000);
    expect(attempts.get('broken')).toBe(3);
    expect(await sample('helpdesk_event_dead_letters_total', durable)).toBe(1);
    expect(logger.warnings.filter((line) => line.includes('ticket.updated not handled (delivery'))).toHaveLength(3);
    expect(logger.errors).toEqual([expect.stringContaining('CRITICAL: ticket.updated not handled after 3 deliveries, its work is lost: always fails')]);
  });

  it('acknowledges an event whose error retrying cannot help, and terminates an unreadable one', async () => {
    let calls = 0;
    const { consumer, logger, durable } = start({
      handle: async () => {
        calls += 1;
        throw new CommandError('NOT_FOUND', 'Ticket not found');
      },
      isPermanent: (error) => error instanceof CommandError && error.code === 'NOT_FOUND',
    });
    await addStream();
    await consumer.ready;
    await publish(envelope('ticket.created', 'gone'));
    await jetstream(connection).publish(`${EVENT_SUBJECT_PREFIX}.ticket.created`, 'not json {');
    await waitFor('both settled', async () => ((await pending(durable)).ackPending === 0 && calls === 1 && logger.errors.length === 1 ? true : undefined));
    expect(logger.warnings).toEqual([expect.stringContaining('Ticket not found; not retried')]);
    expect(logger.errors).toEqual([expect.stringMatching(/^Unreadable event at stream sequence \d+: dropped$/)]);
    expect((await pending(durable)).redelivered).toBe(0);
  });
});
