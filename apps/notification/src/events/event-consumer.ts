import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandError, DurableEventConsumer, durableEventsConsumerConfig, JetStreamConnection, MetricsService, type DurableEventsConsumerConfig } from '@helpdesk/common';
import { NOTIFICATION_EVENTS_CONSUMER } from '@helpdesk/contracts';
import { NotificationConfig } from '../notification.config.js';
import { EventMails } from './event-mails.service.js';

export const EVENTS_CONSUMER = NOTIFICATION_EVENTS_CONSUMER;
/** Redelivery after an unacknowledged event: the first wait is also the ack wait. */
const REDELIVERY_BACKOFF_MS = [30_000, 60_000, 120_000, 300_000, 600_000];
const MAX_DELIVER = 20;

/**
 * The durable consumer of every domain event. Starts from the first stored event (so nothing
 * published while this service was down, or before it first ran, is missed).
 */
export function eventsConsumerConfig(): DurableEventsConsumerConfig {
  return durableEventsConsumerConfig({ name: EVENTS_CONSUMER, from: 'all', redeliveryBackoffMs: REDELIVERY_BACKOFF_MS, maxDeliver: MAX_DELIVER, maxAckPending: 256 });
}

/**
 * Events planned at the same time: planning is mostly waiting (a command to the ticket service, a
 * database write, a queue write), so a backlog drains this many times faster. Mails carry no order
 * among themselves anyway: the queue sends them in parallel.
 */
const EVENTS_IN_PARALLEL = 16;

/**
 * Pulls events from HELPDESK_EVENTS, a few at a time, and acknowledges each only once its mails are
 * recorded and queued. A failure hands the event back (nak with a growing delay), so it is retried;
 * the delivery log makes the retry harmless.
 */
@Injectable()
export class EventConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: DurableEventConsumer;
  /** Resolves once the durable consumer exists and pulling has started. */
  readonly ready: Promise<void>;

  constructor(
    @Inject(JetStreamConnection) jetStream: JetStreamConnection,
    @Inject(EventMails) mails: EventMails,
    @Inject(NotificationConfig) config: NotificationConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.consumer = new DurableEventConsumer(jetStream, {
      config: eventsConsumerConfig(),
      inParallel: EVENTS_IN_PARALLEL,
      retryMs: config.EVENTS_STREAM_RETRY_MS,
      handle: async (event) => {
        const queued = await mails.handle(event);
        return queued > 0 ? `${queued} mail(s) queued` : undefined;
      },
      // The ticket or user is gone (or never was in that organization): retrying cannot help, and no mail is sent.
      isPermanent: (error) => error instanceof CommandError && error.code === 'NOT_FOUND',
      lossOnFailure: 'its mails are not sent',
      logger: new Logger(EventConsumer.name),
      metricsRegistry: metrics.registry,
    });
    this.ready = this.consumer.ready;
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    // Unacknowledged events are redelivered to another replica.
    return this.consumer.stop();
  }
}
