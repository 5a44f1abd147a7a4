import type { Logger } from '@nestjs/common';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, type EventEnvelope } from '@helpdesk/contracts';
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerInfo, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { JetStreamConnection } from './jetstream.module.js';
import { contextFromHeaders, MESSAGING_DESTINATION, MESSAGING_MESSAGE_ID, MESSAGING_OPERATION, MESSAGING_SYSTEM, recordFailure, SpanKind, startSpan, tracing, withSpan, type Span } from '../tracing/tracing.js';

/** How long stopping waits for the events in hand: an unacknowledged event is redelivered anyway. */
const SHUTDOWN_WAIT_MS = 2_000;
/** After a failed delivery the event comes back after 1 s, 2 s, 4 s ... at most 1 min. */
const NAK_BASE_DELAY_MS = 1_000;
const NAK_MAX_DELAY_MS = 60_000;
/** A scrape waits this long for a consumer's info; a NATS that does not answer leaves the consumer out of that scrape. */
const INFO_TIMEOUT_MS = 2_000;

interface ConsumerMetrics {
  consumers: Set<DurableEventConsumer>;
  deadLetters: Counter<'consumer'>;
}

/** One set of series per service registry, one series per consumer in it: a service may run several consumers. */
const metricsByRegistry = new WeakMap<Registry, ConsumerMetrics>();

function consumerMetrics(registry: Registry): ConsumerMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const consumers = new Set<DurableEventConsumer>();
  const lagGauge = (name: string, help: string, read: (info: ConsumerInfo) => number) => {
    const gauge: Gauge<'consumer'> = new Gauge({
      name,
      help,
      labelNames: ['consumer'] as const,
      registers: [registry],
      collect: async () => {
        for (const consumer of consumers) {
          const info = await consumer.info();
          if (info) gauge.set({ consumer: info.name }, read(info));
          else gauge.remove({ consumer: consumer.name });
        }
      },
    });
  };
  lagGauge('helpdesk_event_consumer_pending', 'Events of HELPDESK_EVENTS not yet delivered to this durable consumer', (info) => info.num_pending);
  lagGauge('helpdesk_event_consumer_ack_pending', 'Events delivered to this durable consumer and not yet acknowledged', (info) => info.num_ack_pending);
  const deadLetters = new Counter({
    name: 'helpdesk_event_dead_letters_total',
    help: 'Events whose last delivery to this consumer failed: their work is lost',
    labelNames: ['consumer'] as const,
    registers: [registry],
  });
  const metrics = { consumers, deadLetters };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}

const NANOS_PER_MS = 1_000_000;

export type DurableEventsConsumerConfig = Partial<ConsumerConfig> & { durable_name: string; max_deliver: number };

/**
 * A durable consumer of every event of HELPDESK_EVENTS with explicit acks: an unacknowledged event
 * comes back after each wait of `redeliveryBackoffMs` in turn (the first is also the ack wait), at most
 * `maxDeliver` times. `from: 'all'` starts at the first stored event, `'new'` at those published after its creation.
 */
export function durableEventsConsumerConfig(options: {
  name: string;
  from: 'all' | 'new';
  redeliveryBackoffMs: readonly number[];
  maxDeliver: number;
  maxAckPending: number;
}): DurableEventsConsumerConfig {
  return {
    durable_name: options.name,
    filter_subject: `${EVENT_SUBJECT_PREFIX}.>`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: options.from === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
    ack_wait: options.redeliveryBackoffMs[0]! * NANOS_PER_MS,
    backoff: options.redeliveryBackoffMs.map((ms) => ms * NANOS_PER_MS),
    max_deliver: options.maxDeliver,
    max_ack_pending: options.maxAckPending,
  };
}

export interface DurableEventConsumerOptions {
  /** The consumer as created; on an existing one only the redelivery settings are updated (deliver_policy cannot change). */
  config: DurableEventsConsumerConfig;
  /** Events handled at once by this replica. */
  inParallel: number;
  /** Pause before looking for the stream again, and before resuming after an interruption. */
  retryMs: number;
  /** Handles one event (the message too, for a handler that passes it on as it came); a throw hands it back for redelivery. Answers a debug line worth logging, if any. */
  handle(event: EventEnvelope, message: JsMsg): Promise<string | undefined>;
  /** An error that retrying cannot help: the event is acknowledged with a warning instead. */
  isPermanent?(error: unknown): boolean;
  /** What the CRITICAL line after the last failed delivery says is lost, e.g. "its mails are not sent". */
  lossOnFailure: string;
  logger: Logger;
  /** The service's metrics registry: consumer lag and dead letters are reported there, labelled with the consumer's name. */
  metricsRegistry?: Registry;
}

/**
 * A durable pull consumer of HELPDESK_EVENTS shared by a service's replicas (each event goes to one
 * of them and survives restarts): waits for the stream (the ticket service's outbox relay creates
 * it), pulls a few events at a time, acknowledges each once handled and hands a failed one back
 * with a growing delay; unreadable events are terminated. The notification service's mail planner
 * and the ticket service's trigger engine both run on it.
 */
export class DurableEventConsumer {
  private stopping = false;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readyResolve!: () => void;
  /** Resolves once the durable consumer exists and pulling has started. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  private readonly metrics?: ConsumerMetrics;

  constructor(
    private readonly jetStream: Pick<JetStreamConnection, 'client' | 'manager'>,
    private readonly options: DurableEventConsumerOptions,
  ) {
    if (options.metricsRegistry) {
      this.metrics = consumerMetrics(options.metricsRegistry);
      this.metrics.consumers.add(this);
    }
  }

  /** The consumer's state on the server, for the lag metrics; undefined when it does not exist or NATS does not answer in time. */
  async info(): Promise<ConsumerInfo | undefined> {
    const lookup = (async () => (await this.jetStream.manager()).consumers.info(EVENTS_STREAM, this.name))().catch(() => undefined);
    return Promise.race([lookup, sleep(INFO_TIMEOUT_MS, undefined, { ref: false })]);
  }

  /** Not awaited by callers: a service boots while NATS or the stream is missing, and consumes once they are there. */
  start(): void {
    this.loop = this.run();
  }

  /** Stops pulling and waits (bounded) for the events in hand. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.metrics?.consumers.delete(this);
    await this.messages?.close();
    // Bounded: a JetStream call stuck in a reconnection must not eat the grace period.
    await Promise.race([this.loop, sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false })]);
  }

  /** The durable consumer's name on the server. */
  get name(): string {
    return this.options.config.durable_name;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.ensureConsumer();
        const consumer = await (await this.jetStream.client()).consumers.get(EVENTS_STREAM, this.name);
        const messages = await consumer.consume({ max_messages: 64 });
        this.messages = messages;
        this.readyResolve();
        const inHand = new Set<Promise<void>>();
        for await (const message of messages) {
          const processing: Promise<void> = this.process(message).finally(() => inHand.delete(processing));
          inHand.add(processing);
          if (inHand.size >= this.options.inParallel) await Promise.race(inHand);
        }
        await Promise.all(inHand);
      } catch (error) {
        // Most often the consumer or stream was deleted, or NATS went away: both come back.
        this.options.logger.warn(`Event consumer "${this.name}" interrupted, resuming: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!this.stopping) await sleep(this.options.retryMs);
    }
  }

  private async ensureConsumer(): Promise<void> {
    const { config, logger, retryMs } = this.options;
    let warned = false;
    while (!this.stopping) {
      try {
        const manager = await this.jetStream.manager();
        await manager.streams.info(EVENTS_STREAM);
        const existing = await manager.consumers.info(EVENTS_STREAM, this.name).catch(() => undefined);
        if (existing) await manager.consumers.update(EVENTS_STREAM, this.name, { ack_wait: config.ack_wait, backoff: config.backoff, max_deliver: config.max_deliver, max_ack_pending: config.max_ack_pending });
        else {
          await manager.consumers.add(EVENTS_STREAM, config).catch(async (error: unknown) => {
            // Another replica created it first.
            if (!(await manager.consumers.info(EVENTS_STREAM, this.name).catch(() => undefined))) throw error;
          });
        }
        logger.log(`Consuming ${EVENTS_STREAM} as durable consumer "${this.name}"`);
        return;
      } catch (error) {
        if (!warned) logger.warn(`Waiting for the ${EVENTS_STREAM} stream (the ticket service creates it): ${String(error)}`);
        warned = true;
        await sleep(retryMs);
      }
    }
  }

  /** When tracing is on, each event is handled in a CONSUMER span, child of the span that published it (traceparent in the message headers). */
  private async process(message: JsMsg): Promise<void> {
    if (!tracing.enabled) return this.processUntraced(message);
    const parent = contextFromHeaders(message.headers);
    const span: Span = startSpan(`process ${message.subject}`, SpanKind.CONSUMER, {
      [MESSAGING_SYSTEM]: 'nats',
      [MESSAGING_DESTINATION]: message.subject,
      [MESSAGING_OPERATION]: 'process',
      'messaging.consumer.group.name': this.name,
    }, parent);
    try {
      await withSpan(span, () => this.processUntraced(message, span), parent);
    } finally {
      span.end();
    }
  }

  private async processUntraced(message: JsMsg, span?: Span): Promise<void> {
    const { logger, config } = this.options;
    let event: EventEnvelope;
    try {
      event = message.json<EventEnvelope>();
    } catch {
      logger.error(`Unreadable event at stream sequence ${message.seq}: dropped`);
      // No reason string: servers before 2.10.4 (Debian's 2.9) ignore a +TERM that carries one, and the event stays pending.
      message.term();
      return;
    }
    span?.setAttribute(MESSAGING_MESSAGE_ID, event.id);
    try {
      const outcome = await this.options.handle(event, message);
      // A plain ack, not ackAck's round trip per event: a lost ack only brings the event back after ack_wait, and handlers are idempotent.
      message.ack();
      // Debug, not info: a line per event was a service's costliest log.
      if (outcome) logger.debug({ message: `${event.type}: ${outcome}`, eventId: event.id });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (span) recordFailure(span, error);
      if (this.options.isPermanent?.(error)) {
        logger.warn({ message: `${event.type}: ${reason}; not retried`, eventId: event.id });
        message.ack();
        return;
      }
      const attempt = message.info.deliveryCount;
      // The last delivery failing means the event's work is lost: that is for the admins.
      if (attempt >= config.max_deliver) {
        this.metrics?.deadLetters.inc({ consumer: this.name });
        logger.error({ message: `CRITICAL: ${event.type} not handled after ${config.max_deliver} deliveries, ${this.options.lossOnFailure}: ${reason}`, critical: true, eventId: event.id });
      } else logger.warn({ message: `${event.type} not handled (delivery ${attempt} of ${config.max_deliver}): ${reason}`, eventId: event.id });
      message.nak(Math.min(NAK_BASE_DELAY_MS * 2 ** (attempt - 1), NAK_MAX_DELAY_MS));
    }
  }
}
