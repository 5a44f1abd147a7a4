import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DurableEventConsumer, durableEventsConsumerConfig, JetStreamConnection, MetricsService, type DurableEventsConsumerConfig } from '@helpdesk/common';
import { WEBHOOK_EVENTS_CONSUMER, type EventEnvelope } from '@helpdesk/contracts';
import { NotificationConfig } from '../notification.config.js';
import { ticketOf, Webhooks } from './webhooks.service.js';

const REDELIVERY_BACKOFF_MS = [10_000, 30_000, 60_000, 300_000];
const MAX_DELIVER = 20;
/** Writing an event's deliveries is one insert: many at once keep up with hundreds of events a second. */
const EVENTS_IN_PARALLEL = 64;

/**
 * Its own durable consumer, apart from the mails' (EventConsumer): a slow mail plan never holds up
 * webhooks, nor the other way round. It starts with the events published after it was first made
 * (a new installation does not deliver its history to webhooks made later).
 */
export function webhookEventsConsumerConfig(): DurableEventsConsumerConfig {
  return durableEventsConsumerConfig({ name: WEBHOOK_EVENTS_CONSUMER, from: 'new', redeliveryBackoffMs: REDELIVERY_BACKOFF_MS, maxDeliver: MAX_DELIVER, maxAckPending: 1_024 });
}

/** Turns each event into its webhook deliveries (Webhooks.recordEvent), acknowledged once written. */
@Injectable()
export class WebhookEvents implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: DurableEventConsumer;
  readonly ready: Promise<void>;
  /**
   * The last write per ticket on this replica: events are handled in parallel, but those of one
   * ticket are written in the order they arrived, which is the order ordered subscriptions send them.
   */
  private readonly ticketChains = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(JetStreamConnection) jetStream: JetStreamConnection,
    @Inject(Webhooks) webhooks: Webhooks,
    @Inject(NotificationConfig) config: NotificationConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.consumer = new DurableEventConsumer(jetStream, {
      config: webhookEventsConsumerConfig(),
      inParallel: EVENTS_IN_PARALLEL,
      retryMs: config.EVENTS_STREAM_RETRY_MS,
      handle: async (event) => {
        const written = await this.inTicketOrder(event, () => webhooks.recordEvent(event));
        return written > 0 ? `${written} webhook delivery(ies) written` : undefined;
      },
      lossOnFailure: 'its webhook deliveries are not sent',
      metricsRegistry: metrics.registry,
      logger: new Logger(WebhookEvents.name),
    });
    this.ready = this.consumer.ready;
  }

  private inTicketOrder<T>(event: EventEnvelope, write: () => Promise<T>): Promise<T> {
    const ticketId = ticketOf(event);
    if (!ticketId) return write();
    const previous = this.ticketChains.get(ticketId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    this.ticketChains.set(ticketId, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.ticketChains.get(ticketId) === next) this.ticketChains.delete(ticketId);
      });
    return next;
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.consumer.stop();
  }
}
