import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { contextFromHeaders, JetStreamConnection, LOG_LEVELS, MESSAGING_DESTINATION, MESSAGING_MESSAGE_ID, MESSAGING_OPERATION, MESSAGING_SYSTEM, SpanKind, startSpan, tracing, withSpan } from '@helpdesk/common';
import { EVENT_SUBJECT_PREFIX, EVENTS_STREAM, type EventEnvelope } from '@helpdesk/contracts';
import type { Consumer, ConsumerMessages, ConsumerNotification, JsMsg } from '@nats-io/jetstream';
import { setTimeout as sleep } from 'node:timers/promises';
import { RealtimeConfig } from '../realtime.config.js';
import { RealtimeGateway } from '../sockets/realtime.gateway.js';
import { RealtimeMetrics } from '../sockets/realtime-metrics.js';
import { routeEvent, userToDisconnect } from './event-routing.js';

/**
 * This replica's own ordered (ephemeral, unacknowledged) consumer of every domain event, pushing
 * each to the local sockets it concerns. Every replica sees every event and only its own sockets
 * receive it from that replica, so each client gets each event once without a shared adapter.
 *
 * It starts after the last stored event (what DeliverPolicy.New means), but by explicit sequence:
 * the ordered consumer then resumes from the last event it delivered when it recreates itself, and
 * so does this loop after a failure, instead of replaying the whole stream or skipping the gap.
 */
/** How long shutdown waits for the consumer loop to notice it should stop. */
const SHUTDOWN_WAIT_MS = 2_000;
/** How often the replica checks that its consumer still delivers (see `deliveryStalled`). */
const STALL_CHECK_MS = 5_000;

export interface DeliveryCheck {
  /** Events this replica has taken from the consumer so far. */
  delivered: number;
  /** Events were stored past the next sequence this replica expects. */
  waiting: boolean;
}

/**
 * True when events waited at both checks and none was delivered between them. An ordered consumer
 * was seen to stop delivering for about 50 s after the stream leader's node was killed, without
 * any status notification: the fan-out then recreates it from its own next sequence.
 */
export function deliveryStalled(previous: DeliveryCheck, current: DeliveryCheck): boolean {
  return previous.waiting && current.waiting && current.delivered === previous.delivered;
}

@Injectable()
export class EventFanout implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventFanout.name);
  private readonly stop = new AbortController();
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private nextSequence?: number;
  private attached = false;
  private duplicates = 0;
  private delivered = 0;
  private lastProblem = 'not attached yet';
  private markReady!: () => void;
  private readonly verbose: boolean;
  /** Resolves once the consumer exists on the server: every event published from then on is pushed. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    @Inject(JetStreamConnection) private readonly jetStream: JetStreamConnection,
    @Inject(RealtimeGateway) private readonly gateway: RealtimeGateway,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
    @Inject(RealtimeConfig) private readonly config: RealtimeConfig,
  ) {
    this.verbose = LOG_LEVELS.indexOf(config.LOG_LEVEL) >= LOG_LEVELS.indexOf('verbose');
  }

  onApplicationBootstrap(): void {
    // Not awaited: the service boots while NATS or the stream (created by the ticket service) is missing.
    this.loop = this.run();
  }

  /** Whether events are flowing to this replica's sockets (readiness), and if not why. */
  get state(): { attached: boolean; problem: string; nextSequence?: number } {
    return { attached: this.attached, problem: this.lastProblem, nextSequence: this.nextSequence };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.messages?.close();
    // Bounded: a JetStream call stuck in a reconnection must not eat the grace period.
    await Promise.race([this.loop, sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false })]);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stop.signal.aborted) {
      try {
        const consumer = await this.createConsumer();
        this.messages = await consumer.consume();
        if (this.stop.signal.aborted) break;
        this.attached = true;
        void this.watch(this.messages);
        void this.watchForStall(this.messages);
        this.markReady();
        this.logger.log(`Pushing events from ${EVENTS_STREAM} from sequence ${this.nextSequence}`);
        failures = 0;
        for await (const message of this.messages) this.deliver(message);
        this.detached('the consumer stopped');
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.detached(reason);
        // The first failure of a series is worth a warning; repeating it every retry is noise.
        if (failures === 0) this.logger.warn(`Event consumer unavailable, retrying: ${reason}`);
        failures += 1;
      }
      // Aborting the wait is how shutdown interrupts it: not an error.
      await sleep(this.config.EVENTS_STREAM_RETRY_MS, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
    await this.messages?.close();
  }

  /** The ordered consumer recreates itself after missed heartbeats or a lost consumer: readiness follows it. */
  private async watch(messages: ConsumerMessages): Promise<void> {
    const lost: Array<ConsumerNotification['type']> = ['heartbeats_missed', 'consumer_deleted', 'consumer_not_found', 'stream_not_found', 'no_responders'];
    for await (const status of messages.status()) {
      if (lost.includes(status.type)) this.detached(status.type);
      else if (status.type === 'ordered_consumer_recreated') this.attached = true;
    }
  }

  /** Closes a consumer that holds back waiting events (the loop above then recreates it from `nextSequence`). */
  private async watchForStall(messages: ConsumerMessages): Promise<void> {
    let previous: DeliveryCheck = { delivered: this.delivered, waiting: false };
    while (this.messages === messages && !this.stop.signal.aborted) {
      const slept = await sleep(STALL_CHECK_MS, true, { signal: this.stop.signal, ref: false }).catch(() => false);
      if (!slept || this.messages !== messages) return;
      let current: DeliveryCheck;
      try {
        const { state } = await (await this.jetStream.manager()).streams.info(EVENTS_STREAM);
        current = { delivered: this.delivered, waiting: this.nextSequence !== undefined && state.last_seq >= this.nextSequence };
      } catch {
        continue; // NATS itself is unreachable: the consumer's own status notifications report that.
      }
      if (deliveryStalled(previous, current)) {
        this.logger.warn(`Event consumer delivered nothing for ${(2 * STALL_CHECK_MS) / 1000} s while events waited from sequence ${this.nextSequence}: recreating it`);
        this.detached('the consumer stalled');
        await messages.close();
        return;
      }
      previous = current;
    }
  }

  private detached(problem: string): void {
    this.attached = false;
    this.lastProblem = problem;
  }

  private async createConsumer(): Promise<Consumer> {
    if (this.nextSequence === undefined) {
      const { state } = await (await this.jetStream.manager()).streams.info(EVENTS_STREAM);
      this.nextSequence = state.last_seq + 1;
    }
    const client = await this.jetStream.client();
    // One filter as a string: nats-server before 2.10 refuses the list form.
    return client.consumers.get(EVENTS_STREAM, { filter_subjects: `${EVENT_SUBJECT_PREFIX}.>`, opt_start_seq: this.nextSequence });
  }

  /** When tracing is on, each event is pushed in a CONSUMER span, child of the span that published it (traceparent in the message headers). */
  private deliver(message: JsMsg): void {
    if (!tracing.enabled) return this.deliverUntraced(message);
    const parent = contextFromHeaders(message.headers);
    const span = startSpan(`process ${message.subject}`, SpanKind.CONSUMER, { [MESSAGING_SYSTEM]: 'nats', [MESSAGING_DESTINATION]: message.subject, [MESSAGING_OPERATION]: 'process', [MESSAGING_MESSAGE_ID]: message.headers?.get('Nats-Msg-Id') || '' }, parent);
    try {
      withSpan(span, () => this.deliverUntraced(message), parent);
    } finally {
      span.end();
    }
  }

  private deliverUntraced(message: JsMsg): void {
    this.attached = true;
    this.delivered += 1;
    // Already pushed: a consumer recreated after a NATS node's loss may hand over a message this loop saw.
    if (this.nextSequence !== undefined && message.seq < this.nextSequence) {
      this.duplicates += 1;
      if (this.duplicates === 1 || this.duplicates % 1000 === 0) this.logger.warn(`Dropped ${this.duplicates} event(s) delivered twice by the consumer (last at stream sequence ${message.seq})`);
      return;
    }
    this.nextSequence = message.seq + 1;
    let event: EventEnvelope;
    try {
      event = message.json<EventEnvelope>();
    } catch {
      this.logger.error(`Unreadable event at stream sequence ${message.seq}: not pushed`);
      return;
    }
    const leaving = userToDisconnect(event);
    if (leaving) {
      const ended = this.gateway.endConnectionsOf(leaving);
      if (ended > 0) this.logger.log({ message: `Ended ${ended} connection(s) after ${event.type}`, userId: leaving, eventId: event.id });
      return;
    }
    const route = routeEvent(event);
    if (!route) return;
    this.gateway.push(event, route, message.seq);
    this.metrics.pushed(route.type, event.occurredAt);
    // Checked here: a verbose call the level drops still went through Nest's and winston's loggers for every event.
    if (this.verbose) this.logger.verbose({ message: `${event.type} pushed to ${route.rooms.join(', ')}`, eventId: event.id });
  }
}
