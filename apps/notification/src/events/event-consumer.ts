import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandError, JetStreamConnection } from '@helpdesk/common';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, NOTIFICATION_EVENTS_CONSUMER, type EventEnvelope } from '@helpdesk/contracts';
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotificationConfig } from '../notification.config.js';
import { EventMails } from './event-mails.service.js';

export const EVENTS_CONSUMER = NOTIFICATION_EVENTS_CONSUMER;
const NANOS_PER_MS = 1_000_000;
/** Redelivery after an unacknowledged event: the first wait is also the ack wait. */
const REDELIVERY_BACKOFF_MS = [30_000, 60_000, 120_000, 300_000, 600_000];
const MAX_DELIVER = 20;
/** After a failure (the ticket service or Redis unreachable), the event comes back after 1 s, 2 s, 4 s ... at most 1 min. */
const NAK_BASE_DELAY_MS = 1_000;
const NAK_MAX_DELAY_MS = 60_000;

/**
 * The durable consumer of every domain event. Starts from the first stored event (so nothing
 * published while this service was down, or before it first ran, is missed).
 */
export function eventsConsumerConfig(): Partial<ConsumerConfig> {
  return {
    durable_name: EVENTS_CONSUMER,
    filter_subject: `${EVENT_SUBJECT_PREFIX}.>`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: REDELIVERY_BACKOFF_MS[0]! * NANOS_PER_MS,
    backoff: REDELIVERY_BACKOFF_MS.map((ms) => ms * NANOS_PER_MS),
    max_deliver: MAX_DELIVER,
    max_ack_pending: 256,
  };
}

/**
 * Pulls events from HELPDESK_EVENTS, a few at a time, and acknowledges each only once its mails are
 * recorded and queued. A failure hands the event back (nak with a growing delay), so it is retried;
 * the delivery log makes the retry harmless.
 */
/** How long shutdown waits for the events in hand. */
const SHUTDOWN_WAIT_MS = 2_000;
/**
 * Events planned at the same time: planning is mostly waiting (a command to the ticket service, a
 * database write, a queue write), so a backlog drains this many times faster. Mails carry no order
 * among themselves anyway: the queue sends them in parallel.
 */
const EVENTS_IN_PARALLEL = 16;

@Injectable()
export class EventConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventConsumer.name);
  private stopping = false;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readyResolve!: () => void;
  /** Resolves once the durable consumer exists and pulling has started. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(
    @Inject(JetStreamConnection) private readonly jetStream: JetStreamConnection,
    @Inject(EventMails) private readonly mails: EventMails,
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: the service boots while NATS or the stream is still missing, and starts consuming when they appear.
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Stop pulling and finish the event in hand; unacknowledged events are redelivered to another replica.
    this.stopping = true;
    await this.messages?.close();
    // Bounded: a JetStream call stuck in a reconnection must not eat the grace period, and an unacknowledged event is redelivered anyway.
    await Promise.race([this.loop, sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false })]);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.ensureConsumer();
        const consumer = await (await this.jetStream.client()).consumers.get(EVENTS_STREAM, EVENTS_CONSUMER);
        this.messages = await consumer.consume({ max_messages: 64 });
        this.readyResolve();
        const inHand = new Set<Promise<void>>();
        for await (const message of this.messages) {
          const processing: Promise<void> = this.process(message).finally(() => inHand.delete(processing));
          inHand.add(processing);
          if (inHand.size >= EVENTS_IN_PARALLEL) await Promise.race(inHand);
        }
        await Promise.all(inHand);
      } catch (error) {
        this.logger.error(`Event consumer interrupted, resuming: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!this.stopping) await sleep(this.config.EVENTS_STREAM_RETRY_MS);
    }
  }

  /** The ticket service creates the stream: until it has, look again every EVENTS_STREAM_RETRY_MS. */
  private async ensureConsumer(): Promise<void> {
    let warned = false;
    while (!this.stopping) {
      try {
        const manager = await this.jetStream.manager();
        await manager.streams.info(EVENTS_STREAM);
        const existing = await manager.consumers.info(EVENTS_STREAM, EVENTS_CONSUMER).catch(() => undefined);
        if (existing) await manager.consumers.update(EVENTS_STREAM, EVENTS_CONSUMER, eventsConsumerConfig());
        else await manager.consumers.add(EVENTS_STREAM, eventsConsumerConfig());
        this.logger.log(`Consuming ${EVENTS_STREAM} as durable consumer "${EVENTS_CONSUMER}"`);
        return;
      } catch (error) {
        if (!warned) this.logger.warn(`Waiting for the ${EVENTS_STREAM} stream (the ticket service creates it): ${String(error)}`);
        warned = true;
        await sleep(this.config.EVENTS_STREAM_RETRY_MS);
      }
    }
  }

  private async process(message: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = message.json<EventEnvelope>();
    } catch {
      this.logger.error(`Unreadable event at stream sequence ${message.seq}: dropped`);
      message.term('unreadable');
      return;
    }
    try {
      const queued = await this.mails.handle(event);
      // A plain ack, not ackAck's round trip per event: a lost ack only brings the event back after ack_wait, and the delivery log makes that a no-op.
      message.ack();
      // Debug, not info: a line per event was the notification service's costliest log, and each mail's fate is in the delivery log.
      if (queued > 0) this.logger.debug({ message: `${event.type}: ${queued} mail(s) queued`, eventId: event.id });
    } catch (error) {
      if (error instanceof CommandError && error.code === 'NOT_FOUND') {
        // The ticket or user is gone (or never was in that organization): retrying cannot help.
        this.logger.warn({ message: `${event.type}: ${error.message}, no mail sent`, eventId: event.id });
        message.ack();
        return;
      }
      const attempt = message.info.deliveryCount;
      const lastTry = attempt >= MAX_DELIVER;
      const reason = error instanceof Error ? error.message : String(error);
      // The last delivery failing means the event's mails are lost: that is for the admins.
      if (lastTry) this.logger.error({ message: `CRITICAL: ${event.type} not handled after ${MAX_DELIVER} deliveries, its mails are not sent: ${reason}`, critical: true, eventId: event.id });
      else this.logger.warn({ message: `${event.type} not handled (delivery ${attempt} of ${MAX_DELIVER}): ${reason}`, eventId: event.id });
      message.nak(Math.min(NAK_BASE_DELAY_MS * 2 ** (attempt - 1), NAK_MAX_DELAY_MS));
    }
  }
}
