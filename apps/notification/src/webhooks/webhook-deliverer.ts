import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JetStreamConnection, MetricsService } from '@helpdesk/common';
import { eventSubject, WEBHOOK_HEADERS, type EventEnvelope, type WebhookDisabledData } from '@helpdesk/contracts';
import { LRUCache } from 'lru-cache';
import { Counter, Histogram } from 'prom-client';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { NotificationConfig } from '../notification.config.js';
import { OutboundHttpClient, type OutboundResult } from './outbound/outbound-http-client.js';
import { WakeSignal } from './wake-signal.js';
import { signWebhookBody } from './webhook-signature.js';
import { DELIVERIES_TABLE, Webhooks, WEBHOOKS_TABLE, type WebhookRow } from './webhooks.service.js';

/** A claimed delivery stays invisible to other workers this long: well past the 10 s exchange, so it is never sent twice unless its worker died. */
const CLAIM_LEASE_SECONDS = 60;
/** Rows claimed by one query at most. */
const CLAIM_BATCH = 100;
/** Successes recorded by one UPDATE at most. */
const SUCCESS_BATCH = 200;
/** The part of a response body the delivery log keeps. */
const EXCERPT_BYTES = 1_024;
export const WEBHOOK_USER_AGENT = 'Helpdesk-Webhooks/1.0 (helpdesk platform)';

interface ClaimedDelivery {
  id: string;
  webhook_id: string;
  organization_id: string;
  event_type: string;
  body: string;
  ordered: boolean;
  attempts: number;
  created_at: Date;
  url: string;
  secret_encrypted: string;
}

type Outcome = 'succeeded' | 'failed' | 'dead';

interface PendingSuccess {
  id: string;
  latencyMs: number;
  status: number;
  excerpt: string;
  recorded: () => void;
  failed: (error: unknown) => void;
}

/** The full-jitter delay before attempt `attempt + 1`: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(Math.random() * ceiling);
}

/**
 * Sends webhook deliveries (DESIGN section 16). Each replica claims due rows in batches with
 * FOR UPDATE SKIP LOCKED and a lease (next_attempt_at pushed past the exchange), so replicas never
 * take the same row; ordered subscriptions only ever expose the oldest open delivery of a ticket.
 * Every request goes through the SSRF-safe OutboundHttpClient.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private readonly client: OutboundHttpClient;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deliveries: Counter<'outcome'>;
  private readonly duration: Histogram<'outcome'>;
  /** Decrypting each delivery's secret again is wasted work at hundreds a second; the ciphertext is the key, so a new secret is a miss. */
  private readonly secrets = new LRUCache<string, string>({ max: 10_000 });
  /** Webhooks whose last-delivery time this replica wrote lately: a success needs no write more than once a second per webhook. */
  private readonly recentlyTouched = new LRUCache<string, true>({ max: 10_000, ttl: 1_000 });
  /** Successes waiting for the UPDATE under way to end: the next one records them all. */
  private pendingSuccesses: PendingSuccess[] = [];
  private recordingSuccesses = false;
  private stopping = false;
  private loop?: Promise<void>;
  /** Deliveries written on this replica, and a finished ordered delivery (its ticket's next may go), wake the loop. */
  private readonly wake = new WakeSignal();
  private unsubscribe?: () => void;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Webhooks) private readonly webhooks: Webhooks,
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(JetStreamConnection) private readonly jetStream: JetStreamConnection,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.client = OutboundHttpClient.fromConfig(config);
    this.deliveries = new Counter({ name: 'helpdesk_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (succeeded, failed and retried later, dead)', labelNames: ['outcome'], registers: [metrics.registry] });
    this.duration = new Histogram({
      name: 'helpdesk_webhook_delivery_duration_seconds',
      help: 'Time of one webhook delivery attempt, request to last body byte, by outcome',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.webhooks.onDeliveriesWritten(() => this.wake.notify());
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake.notify();
    await this.loop;
    // Attempts in hand end within the 10 s exchange; an unfinished one is claimed again after its lease.
    await Promise.all(this.inFlight);
    this.client.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
      if (free <= 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      const wanted = Math.min(free, CLAIM_BATCH);
      // Wake-ups from here on announce rows this claim may not see: they make the wait below return at once.
      this.wake.clear();
      let claimed: ClaimedDelivery[] = [];
      try {
        claimed = await this.claim(wanted);
      } catch (error) {
        if (this.stopping) break;
        this.logger.error({ message: `Could not claim webhook deliveries: ${(error as Error).message}` });
      }
      for (const delivery of claimed) {
        const attempt: Promise<void> = this.attempt(delivery)
          .catch((error: unknown) => this.logger.error({ message: `Webhook delivery attempt failed to record: ${(error as Error).message}`, deliveryId: delivery.id, webhookId: delivery.webhook_id }))
          .finally(() => {
            this.inFlight.delete(attempt);
            // The next delivery of that ticket may go now.
            if (delivery.ordered) this.wake.notify();
          });
        this.inFlight.add(attempt);
      }
      // A full batch means more is probably due: claim again at once. Otherwise wait for a wake-up; the poll
      // finds what none announces (retries falling due, deliveries another replica wrote, leases run out).
      if (claimed.length < wanted) await this.wake.wait(this.config.WEBHOOK_POLL_MS);
    }
  }

  private claim(limit: number): Promise<ClaimedDelivery[]> {
    return this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM ${DELIVERIES_TABLE} d JOIN ${WEBHOOKS_TABLE} w ON w.id = d.webhook_id
         WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= now() AND (w.active OR d.manual)
           AND (NOT d.ordered OR NOT EXISTS (
             SELECT 1 FROM ${DELIVERIES_TABLE} earlier
             WHERE earlier.webhook_id = d.webhook_id AND earlier.ticket_id = d.ticket_id AND earlier.ordered AND earlier.status IN ('pending', 'failed') AND earlier.seq < d.seq))
         ORDER BY d.next_attempt_at
         LIMIT $1
         FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE ${DELIVERIES_TABLE} d SET next_attempt_at = now() + make_interval(secs => $2)
       FROM due, ${WEBHOOKS_TABLE} w
       WHERE d.id = due.id AND w.id = d.webhook_id
       RETURNING d.id, d.webhook_id, d.organization_id, d.event_type, d.body, d.ordered, d.attempts, d.created_at, w.url, w.secret_encrypted`,
      [limit, CLAIM_LEASE_SECONDS],
    ).then((result: [ClaimedDelivery[], number]) => result[0]);
  }

  private secretOf(ciphertext: string): string {
    let secret = this.secrets.get(ciphertext);
    if (secret === undefined) {
      secret = this.webhooks.encryption.decrypt(ciphertext);
      this.secrets.set(ciphertext, secret);
    }
    return secret;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = performance.now();
    let result: OutboundResult;
    try {
      const signature = signWebhookBody(this.secretOf(delivery.secret_encrypted), delivery.body, Math.floor(Date.now() / 1000));
      result = await this.client.send({
        url: delivery.url,
        method: 'POST',
        body: delivery.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': WEBHOOK_USER_AGENT,
          [WEBHOOK_HEADERS.event]: delivery.event_type,
          [WEBHOOK_HEADERS.delivery]: delivery.id,
          [WEBHOOK_HEADERS.signature]: signature,
        },
      });
    } catch (error) {
      // A secret that no longer decrypts (a key removed) or a client bug: recorded like a failed exchange.
      result = { outcome: 'failed', reason: (error as Error).message, timedOut: false, latencyMs: Math.round(performance.now() - startedAt) };
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const succeeded = result.outcome === 'response' && result.status >= 200 && result.status < 300;
    const outcome = succeeded ? 'succeeded' : await this.recordFailure(delivery, result);
    if (succeeded) await this.recordSuccess(delivery, result as Extract<OutboundResult, { outcome: 'response' }>);
    this.deliveries.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
  }

  private async recordSuccess(delivery: ClaimedDelivery, result: Extract<OutboundResult, { outcome: 'response' }>): Promise<void> {
    await new Promise<void>((recorded, failed) => {
      this.pendingSuccesses.push({ id: delivery.id, latencyMs: result.latencyMs, status: result.status, excerpt: excerptOf(result.body), recorded, failed });
      if (!this.recordingSuccesses) void this.writeSuccesses();
    });
    if (this.recentlyTouched.has(delivery.webhook_id)) return;
    this.recentlyTouched.set(delivery.webhook_id, true);
    await this.dataSource.query(`UPDATE ${WEBHOOKS_TABLE} SET failing_since = NULL, last_delivery_at = now() WHERE id = $1`, [delivery.webhook_id]);
  }

  /**
   * One UPDATE for the successes that ended while the previous one ran: a statement per delivery was
   * most of the database's and this process's work at hundreds a second. A lone success is written at
   * once, so batching adds no wait.
   */
  private async writeSuccesses(): Promise<void> {
    this.recordingSuccesses = true;
    try {
      while (this.pendingSuccesses.length > 0) {
        const batch = this.pendingSuccesses.splice(0, SUCCESS_BATCH);
        try {
          await this.dataSource.query(
            `UPDATE ${DELIVERIES_TABLE} d SET status = 'succeeded', attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = NULL,
               latency_ms = s.latency_ms, response_status = s.response_status, response_excerpt = s.response_excerpt, error = NULL
             FROM unnest($1::uuid[], $2::integer[], $3::integer[], $4::text[]) AS s(id, latency_ms, response_status, response_excerpt)
             WHERE d.id = s.id`,
            [batch.map((entry) => entry.id), batch.map((entry) => entry.latencyMs), batch.map((entry) => entry.status), batch.map((entry) => entry.excerpt)],
          );
          for (const entry of batch) entry.recorded();
        } catch (error) {
          for (const entry of batch) entry.failed(error);
        }
      }
    } finally {
      this.recordingSuccesses = false;
    }
  }

  /** Retried with backoff while the window lasts, then dead; the webhook's failure state advances (and may disable it). */
  private async recordFailure(delivery: ClaimedDelivery, result: OutboundResult): Promise<Outcome> {
    const response = result.outcome === 'response' ? result : undefined;
    const error = result.outcome === 'response' ? `the receiver answered ${result.status}` : result.reason;
    const delayMs = retryDelayMs(delivery.attempts + 1, this.config.WEBHOOK_RETRY_BASE_MS, this.config.WEBHOOK_RETRY_MAX_DELAY_MS);
    // Dead when the next attempt would fall outside the retry window.
    const [rows] = (await this.dataSource.query(
      `UPDATE ${DELIVERIES_TABLE} SET attempts = attempts + 1, last_attempt_at = now(), latency_ms = $2, response_status = $3, response_excerpt = $4, error = $5,
         status = CASE WHEN now() + make_interval(secs => $6 / 1000.0) >= created_at + make_interval(secs => $7 / 1000.0) THEN 'dead' ELSE 'failed' END,
         next_attempt_at = CASE WHEN now() + make_interval(secs => $6 / 1000.0) >= created_at + make_interval(secs => $7 / 1000.0) THEN NULL ELSE now() + make_interval(secs => $6 / 1000.0) END
       WHERE id = $1 RETURNING status`,
      [delivery.id, 'latencyMs' in result ? result.latencyMs : null, response?.status ?? null, response ? excerptOf(response.body) : null, error, delayMs, this.config.WEBHOOK_RETRY_WINDOW_MS],
    )) as [Array<{ status: Outcome }>, number];
    const status = rows[0]?.status ?? 'failed';
    this.logger.debug({ message: `Webhook delivery ${status === 'dead' ? 'given up' : 'failed'}: ${error}`, deliveryId: delivery.id, webhookId: delivery.webhook_id, orgId: delivery.organization_id });
    await this.advanceFailure(delivery.webhook_id);
    return status;
  }

  /** Failing since the first failure after a success; disabled once that is WEBHOOK_DISABLE_AFTER_MS ago (one replica wins the conditional update). */
  private async advanceFailure(webhookId: string): Promise<void> {
    this.recentlyTouched.delete(webhookId);
    await this.dataSource.query(`UPDATE ${WEBHOOKS_TABLE} SET failing_since = now() WHERE id = $1 AND failing_since IS NULL`, [webhookId]);
    const [disabled] = (await this.dataSource.query(
      `UPDATE ${WEBHOOKS_TABLE} SET active = false, disabled_at = now(), updated_at = now(),
         disabled_reason = 'every delivery failed since ' || to_char(failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
       WHERE id = $1 AND active AND failing_since <= now() - make_interval(secs => $2::double precision / 1000) RETURNING *`,
      [webhookId, this.config.WEBHOOK_DISABLE_AFTER_MS],
    )) as [WebhookRow[], number];
    const row = disabled[0];
    if (!row) return;
    await this.webhooks.abandonOpenDeliveries(row.id, 'the webhook was disabled after failing too long');
    this.logger.warn({ message: `Webhook disabled: ${row.disabled_reason ?? ''}`, webhookId: row.id, orgId: row.organization_id });
    await this.announceDisabled(row);
  }

  /** `webhook.disabled`: the mail planner mails the organization's admins, once (the event is once per disabling). */
  private async announceDisabled(row: WebhookRow): Promise<void> {
    const event: EventEnvelope<WebhookDisabledData> = {
      id: uuidv7(),
      type: 'webhook.disabled',
      version: 1,
      occurredAt: new Date().toISOString(),
      orgId: row.organization_id,
      aggregateId: row.id,
      actor: { system: 'webhooks' },
      data: { webhookId: row.id, url: row.url, reason: row.disabled_reason ?? 'failing', failingSince: row.failing_since?.toISOString() ?? new Date().toISOString() },
    };
    await (await this.jetStream.client()).publish(eventSubject('webhook.disabled'), JSON.stringify(event), { msgID: event.id });
  }
}

/** The first 1 KB of a body as text, without the NUL characters PostgreSQL text cannot hold. */
function excerptOf(body: Buffer): string {
  return body.subarray(0, EXCERPT_BYTES).toString('utf8').replace(/\u0000/g, '');
}
