import type { Logger } from '@nestjs/common';
import { PUBLIC_EVENT_TYPES, PUBLIC_EVENTS_CONSUMER, publicEventsStream, publicSubjects, type EventEnvelope, type PublicEventType } from '@helpdesk/contracts';
import type { JsMsg, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, NoRespondersError, nuid, RequestError, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import { DurableEventConsumer, durableEventsConsumerConfig, type DurableEventsConsumerConfig } from '../durable-event-consumer.js';
import type { JetStreamConnection } from '../jetstream.module.js';
import { injectIntoHeaders, tracing, TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../../tracing/tracing.js';
import { bridgeReplyPrefix } from './public-nats-keys.js';

const ACK_WAIT_MS = 30_000;
/**
 * A public server down for up to 7 days (as long as its streams keep events) loses nothing: the
 * consumer hands failed events back at most once a minute, so about 10,080 deliveries.
 */
const MAX_DELIVER = 7 * 24 * 60;
const EVENTS_IN_PARALLEL = 32;
/** How long an event waits for the public server's connection before it is handed back for later. */
const CONNECTION_WAIT_MS = 5_000;

const PUBLIC_TYPES: ReadonlySet<string> = new Set(PUBLIC_EVENT_TYPES);
export const isPublicEventType = (type: string): type is PublicEventType => PUBLIC_TYPES.has(type);
type PublicEvent = EventEnvelope & { type: PublicEventType };
const isPublicEvent = (event: EventEnvelope): event is PublicEvent => isPublicEventType(event.type);

/** Starts with the events published after it was first made: integrations see events from their stream's creation on. */
export function publicEventsConsumerConfig(): DurableEventsConsumerConfig {
  return durableEventsConsumerConfig({ name: PUBLIC_EVENTS_CONSUMER, from: 'new', redeliveryBackoffMs: [ACK_WAIT_MS], maxDeliver: MAX_DELIVER, maxAckPending: 1_024 });
}

export interface PublicEventFanOutOptions {
  /** The platform's own JetStream (HELPDESK_EVENTS). */
  internal: Pick<JetStreamConnection, 'client' | 'manager'>;
  /** The public server, as the gateway's bridge user in INTEGRATIONS. */
  publicConnection: () => Promise<NatsConnection>;
  /** How long a publish waits for the organization's stream to store it (5 s when not given). */
  publishTimeoutMs?: number;
  retryMs: number;
  logger: Logger;
  metricsRegistry?: Registry;
  /**
   * Runs before a public event is republished (in its organization's order); a throw hands the event
   * back for later, like a failed publish. The gateway revokes there the NATS users of integrations
   * revoked with their creator's deactivation or demotion, before the organization's next events go out.
   */
  beforeRepublish?: (event: EventEnvelope) => Promise<void>;
}

/**
 * Republishes HELPDESK_EVENTS' public events to the public NATS server, each into its organization's
 * stream (`publicSubjects.event`, published in INTEGRATIONS and imported by the organization's account,
 * where its stream is), its body as it came, `Nats-Msg-Id` its event id (a redelivered event is stored
 * once) and its trace carried on. Internal event types never leave; an organization without a stream
 * (no integration yet) is skipped; a public server out of reach hands the event back for later.
 */
export class PublicEventFanOut {
  private readonly consumer: DurableEventConsumer;
  readonly ready: Promise<void>;
  private publicConnection?: NatsConnection;
  /**
   * The last publish per organization on this replica: events are handled in parallel, but each
   * organization's go out in the order they came (the stream's), so its integrations read them in order.
   */
  private readonly organizationChains = new Map<string, Promise<unknown>>();

  constructor(private readonly options: PublicEventFanOutOptions) {
    this.consumer = new DurableEventConsumer(options.internal, {
      config: publicEventsConsumerConfig(),
      inParallel: EVENTS_IN_PARALLEL,
      retryMs: options.retryMs,
      // Internal event types never leave the platform.
      handle: async (event, message) => (isPublicEvent(event) ? this.inOrganizationOrder(event.orgId, () => this.prepareAndRepublish(event, message)) : undefined),
      lossOnFailure: "it never reaches the organization's integrations",
      logger: options.logger,
      metricsRegistry: options.metricsRegistry,
    });
    this.ready = this.consumer.ready;
  }

  start(): void {
    this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private inOrganizationOrder<T>(organizationId: string, publish: () => Promise<T>): Promise<T> {
    const previous = this.organizationChains.get(organizationId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(publish);
    this.organizationChains.set(organizationId, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.organizationChains.get(organizationId) === next) this.organizationChains.delete(organizationId);
      });
    return next;
  }

  private async prepareAndRepublish(event: PublicEvent, message: JsMsg): Promise<string> {
    await this.options.beforeRepublish?.(event);
    return this.republish(event, message);
  }

  private async republish(event: PublicEvent, message: JsMsg): Promise<string> {
    const stream = publicEventsStream(event.orgId);
    const connection = await this.publicServer();
    const headers = natsHeaders();
    // The consumer's span when tracing is on (so the trace shows the hop), otherwise the publisher's context as it came.
    if (tracing.enabled) injectIntoHeaders(headers);
    else {
      for (const name of [TRACEPARENT_HEADER, TRACESTATE_HEADER]) {
        const value = message.headers?.get(name);
        if (value) headers.set(name, value);
      }
    }
    const ack = await publishToOrganizationStream(connection, event.orgId, publicSubjects.event(event.orgId, event.type), message.data, { msgID: event.id, headers, timeoutMs: this.options.publishTimeoutMs });
    // No stream listens on the subject in any account (it is in the organization's account, out of the
    // bridge's sight): the organization has no integration yet.
    if (ack === 'no stream') return `skipped: ${stream} does not exist`;
    return ack.duplicate ? `already in ${stream}` : `republished to ${stream}`;
  }

  /** Once connected, the same connection for good (the connection reconnects by itself); until then each event waits a bounded time. */
  private async publicServer(): Promise<NatsConnection> {
    if (this.publicConnection) return this.publicConnection;
    const waited = new AbortController();
    const timeout = sleep(CONNECTION_WAIT_MS, undefined, { ref: false, signal: waited.signal }).then(() => {
      throw new Error(`The public NATS server is not connected after ${CONNECTION_WAIT_MS} ms`);
    });
    timeout.catch(() => undefined);
    try {
      this.publicConnection = await Promise.race([this.options.publicConnection(), timeout]);
      return this.publicConnection;
    } finally {
      waited.abort();
    }
  }
}

/**
 * Publishes to an organization's events stream from INTEGRATIONS (as the bridge) and waits for the
 * stream's acknowledgement; 'no stream' when nothing listens on the subject. Hand-written rather than
 * JetStreamClient.publish, whose replies share one connection-wide inbox: the reply subject here
 * carries the organization (`bridgeReplyPrefix`), the only bridge replies its account may route back,
 * so an integration that learns it (a live event carries it) reaches no other organization's publishes.
 */
export async function publishToOrganizationStream(
  connection: NatsConnection,
  organizationId: string,
  subject: string,
  data: Uint8Array | string,
  options: { msgID: string; headers?: MsgHdrs; timeoutMs?: number },
): Promise<PubAck | 'no stream'> {
  const headers = options.headers ?? natsHeaders();
  headers.set('Nats-Msg-Id', options.msgID);
  headers.set('Nats-Expected-Stream', publicEventsStream(organizationId));
  let reply;
  try {
    reply = await connection.request(subject, data, { headers, timeout: options.timeoutMs ?? 5_000, noMux: true, reply: `${bridgeReplyPrefix(organizationId)}.${nuid.next()}` });
  } catch (error) {
    if (error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders())) return 'no stream';
    throw error;
  }
  const answer = reply.json<PubAck & { error?: { code: number; err_code?: number; description?: string } }>();
  if (answer.error) throw new Error(`${publicEventsStream(organizationId)} refused the event: ${answer.error.description ?? answer.error.code}`);
  // The server leaves `duplicate` out when false.
  return { ...answer, duplicate: answer.duplicate ?? false };
}
