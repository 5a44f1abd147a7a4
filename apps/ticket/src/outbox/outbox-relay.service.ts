import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { eventSubject, type EventType } from '@helpdesk/contracts';
import { contextFromCarrier, injectIntoHeaders, JetStreamConnection, MESSAGING_DESTINATION, MESSAGING_MESSAGE_ID, MESSAGING_OPERATION, MESSAGING_SYSTEM, MetricsService, recordFailure, SpanKind, startSpan, TRACEPARENT_HEADER, TRACESTATE_HEADER, tracing, type Span } from '@helpdesk/common';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { trace } from '@opentelemetry/api';
import { Gauge } from 'prom-client';
import { DataSource, In, IsNull } from 'typeorm';
import { TicketConfig } from '../ticket.config.js';
import { DomainEvents } from './domain-events.js';
import { ensureEventsStream } from './events-stream.js';
import { OutboxMessage } from './outbox-message.entity.js';

/** Only one relay publishes at a time (across replicas), which keeps events of a ticket in order. */
const RELAY_LOCK_KEY = 0x68656c70; // "help"
const MAX_BACKOFF_MS = 30_000;
const PUBLISH_TIMEOUT_MS = 5_000;
/** How often the relay deletes published rows past OUTBOX_RETENTION_HOURS, and how many per statement (short row locks). */
const PURGE_EVERY_MS = 10 * 60_000;
const PURGE_BATCH = 5_000;

/** The smallest UUIDv7 recorded at `time`: every event id (UUIDv7) recorded before it sorts below it, so the primary key serves the purge. */
function firstEventIdAt(time: Date): string {
  const hex = time.getTime().toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

export interface PublishOptions {
  /** Runs after publishing and before marking rows published; a throw rolls the marking back (tests use it to simulate a crash). */
  beforeCommit?: () => Promise<void>;
}

/**
 * Publishes outbox rows to JetStream, oldest first, with Nats-Msg-Id = event id. A crash between
 * publishing and marking leaves rows pending; they are published again and JetStream drops the
 * duplicates inside its window, so every committed change yields its event exactly once.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private failures = 0;
  private lastPurgeAt = 0;
  /** When the current run of failures began, and whether the admins were told it is stuck: once per run, not per retry. */
  private failingSince?: number;
  private stuckReported = false;
  private readonly pendingGauge: Gauge;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(JetStreamConnection) private readonly jetStream: JetStreamConnection,
    @Inject(DomainEvents) domainEvents: DomainEvents,
    @Inject(TicketConfig) private readonly config: TicketConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    domainEvents.onCommitted(() => this.wake?.());
    this.pendingGauge = new Gauge({
      name: 'helpdesk_outbox_lag_seconds',
      help: 'Age of the oldest unpublished event in the outbox (0 when empty)',
      registers: [metrics.registry],
      collect: async () => {
        const [row] = (await this.dataSource.query(
          `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) AS lag FROM ${this.outboxTable()} WHERE published_at IS NULL`,
        )) as Array<{ lag: string }>;
        this.pendingGauge.set(Number(row?.lag ?? 0));
      },
    });
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Stops the background loop after its current batch; `publishBatch` still works when called directly. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Publishes one batch; returns how many events went out, or throws (after recording the attempt) when one failed. */
  async publishBatch(options: PublishOptions = {}): Promise<number> {
    const client = await this.jetStream.client();
    let failure: unknown;
    const published = await this.dataSource.transaction(async (manager) => {
      const [{ leader }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS leader', [RELAY_LOCK_KEY])) as Array<{ leader: boolean }>;
      if (!leader) return 0;
      const batch = await manager
        .getRepository(OutboxMessage)
        .createQueryBuilder('message')
        .where('message.publishedAt IS NULL')
        .orderBy('message.id', 'ASC')
        .limit(this.config.OUTBOX_BATCH_SIZE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      const publishedIds: string[] = [];
      for (const message of batch) {
        const subject = eventSubject(message.type as EventType);
        const traced = this.traceHeaders(message, subject);
        try {
          await client.publish(subject, JSON.stringify(message.envelope), { msgID: message.id, timeout: PUBLISH_TIMEOUT_MS, ...(traced ? { headers: traced.headers } : {}) });
          publishedIds.push(message.id);
          traced?.span?.end();
        } catch (error) {
          if (traced?.span) {
            recordFailure(traced.span, error);
            traced.span.end();
          }
          // Stop at the first failure: later events of the same ticket must not overtake it.
          failure = error;
          await manager.update(OutboxMessage, { id: message.id }, { attempts: () => 'attempts + 1', lastError: String(error).slice(0, 500) });
          break;
        }
      }
      await options.beforeCommit?.();
      if (publishedIds.length > 0) {
        await manager.update(OutboxMessage, { id: In(publishedIds), publishedAt: IsNull() }, { publishedAt: () => 'now()', attempts: () => 'attempts + 1' });
      }
      return publishedIds.length;
    });
    if (failure) throw failure;
    return published;
  }

  /**
   * The event joins the trace of the transaction that recorded it: a PRODUCER span under that context
   * whose traceparent goes in the message headers, for the consumers' spans. With tracing off here the
   * stored context is passed on as it is, so a traced writer's event still reaches traced consumers.
   */
  private traceHeaders(message: OutboxMessage, subject: string): { headers: MsgHdrs; span?: Span } | undefined {
    if (!message.traceContext) return undefined;
    const headers = natsHeaders();
    if (!tracing.enabled) {
      for (const key of [TRACEPARENT_HEADER, TRACESTATE_HEADER]) if (message.traceContext[key]) headers.set(key, message.traceContext[key]);
      return { headers };
    }
    const parent = contextFromCarrier(message.traceContext);
    const span = startSpan(`publish ${subject}`, SpanKind.PRODUCER, { [MESSAGING_SYSTEM]: 'nats', [MESSAGING_DESTINATION]: subject, [MESSAGING_OPERATION]: 'publish', [MESSAGING_MESSAGE_ID]: message.id }, parent);
    injectIntoHeaders(headers, trace.setSpan(parent, span));
    return { headers, span };
  }

  private async run(): Promise<void> {
    await this.ensureStream();
    while (!this.stopped) {
      let published = 0;
      try {
        published = await this.publishBatch();
        if (Date.now() - this.lastPurgeAt >= PURGE_EVERY_MS) await this.purgeQuietly();
        if (this.failures > 0) this.logger.log('Publishing events again');
        this.failures = 0;
        this.failingSince = undefined;
        this.stuckReported = false;
      } catch (error) {
        this.failures += 1;
        this.failingSince ??= Date.now();
        if (this.failures === 1) this.logger.error(`Publishing events failed, retrying with backoff: ${String(error)}`);
        this.reportIfStuck(error);
      }
      // A full batch means more may be waiting: go again at once; otherwise wait for a commit or the poll.
      if (published < this.config.OUTBOX_BATCH_SIZE || this.failures > 0) await this.sleep(this.delay());
    }
  }

  /**
   * Deletes published events recorded more than OUTBOX_RETENTION_HOURS before `now`, a batch per
   * transaction, by the relay that holds the lock; unpublished rows are never touched, however old.
   * Answers how many rows went.
   */
  async purgePublished(now = new Date()): Promise<number> {
    const before = firstEventIdAt(new Date(now.getTime() - this.config.OUTBOX_RETENTION_HOURS * 3_600_000));
    let purged = 0;
    for (;;) {
      const deleted = await this.dataSource.transaction(async (manager) => {
        const [{ leader }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS leader', [RELAY_LOCK_KEY])) as Array<{ leader: boolean }>;
        if (!leader) return 0;
        const [{ count }] = (await manager.query(
          // A CTE: TypeORM answers a bare DELETE as [rows, count].
          `WITH purged AS (
             DELETE FROM ${this.outboxTable()} WHERE id IN (
               SELECT id FROM ${this.outboxTable()} WHERE id < $1 AND published_at IS NOT NULL ORDER BY id LIMIT $2
             ) RETURNING 1
           ) SELECT count(*)::int AS count FROM purged`,
          [before, PURGE_BATCH],
        )) as Array<{ count: number }>;
        return count;
      });
      purged += deleted;
      if (deleted < PURGE_BATCH || this.stopped) return purged;
    }
  }

  private async purgeQuietly(): Promise<void> {
    this.lastPurgeAt = Date.now();
    try {
      const purged = await this.purgePublished();
      if (purged > 0) this.logger.debug(`Deleted ${purged} published outbox row(s) past OUTBOX_RETENTION_HOURS`);
    } catch (error) {
      // Publishing matters, purging can wait for the next round.
      this.logger.warn(`Could not delete published outbox rows (retried in ${PURGE_EVERY_MS / 60_000} minutes): ${String(error)}`);
    }
  }

  private reportIfStuck(error: unknown): void {
    const failingSeconds = Math.round((Date.now() - this.failingSince!) / 1000);
    if (this.stuckReported || failingSeconds < this.config.OUTBOX_STUCK_ALERT_SECONDS) return;
    this.stuckReported = true;
    this.logger.error({
      message: `CRITICAL: events are stuck in the outbox: publishing to JetStream has failed for ${failingSeconds} s (${this.failures} attempts); last error: ${String(error)}`,
      critical: true,
    });
  }

  private async ensureStream(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await ensureEventsStream(await this.jetStream.manager(), {
          replicas: this.config.EVENTS_STREAM_REPLICAS,
          retentionDays: this.config.EVENTS_RETENTION_DAYS,
          maxBytes: this.config.EVENTS_STREAM_MAX_BYTES,
        });
        return;
      } catch (error) {
        if (attempt === 1) this.logger.error(`Cannot set up the events stream yet, retrying: ${String(error)}`);
        await this.sleep(Math.min(MAX_BACKOFF_MS, 500 * attempt));
      }
    }
  }

  /** Exponential backoff with full jitter after failures (a few lines, not worth a dependency); the poll interval otherwise. */
  private delay(): number {
    if (this.failures === 0) return this.config.OUTBOX_POLL_INTERVAL_MS;
    return Math.random() * Math.min(MAX_BACKOFF_MS, 200 * 2 ** this.failures);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private outboxTable(): string {
    const metadata = this.dataSource.getMetadata(OutboxMessage);
    return `"${metadata.schema}"."${metadata.tableName}"`;
  }
}
