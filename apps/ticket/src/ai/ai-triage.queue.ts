import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandClient, CommandError, ServiceConfig, stripToPlainText } from '@helpdesk/common';
import { AI_COMMAND_TIMEOUT_MS, subjects, TICKET_LIMITS, type AiTriage, type StoredAiTriage, type TriageCommand } from '@helpdesk/contracts';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';

const QUEUE = 'ai-triage';
/** The model sees the start of a long description; triage needs no more. */
const TRIAGE_TEXT_CHARS = 8_000;
/** Errors that another attempt cannot fix: the ticket stays untriaged. */
const PERMANENT_CODES = new Set(['VALIDATION', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED']);
/** Pending tickets read, triaged and written per round of a drain. */
const DRAIN_BATCH = 50;
/** Triage requests in flight at once: enough to keep the ai-proxy busy, few enough not to flood a model server. */
const REQUESTS_IN_FLIGHT = 8;
/** The tickets created within one window are triaged by one drain, run as the window closes. */
const DRAIN_WINDOW_MS = 200;
/** The safety net: a drain every minute triages what a lost or exhausted job left pending. */
const SWEEP_EVERY_MS = 60_000;
const FAILURE_REPORT_INTERVAL_MS = 60_000;

/** A drain takes no data; a job of an earlier version named one ticket, which it marks pending first. */
type DrainJob = { ticketId?: string; orgId?: string };
type PendingTicket = { id: string; organization_id: string; subject: string; description: string };
type Outcome = { ticket: PendingTicket; triage?: StoredAiTriage; failure?: Error; permanent?: boolean };

/**
 * Triages new tickets in the background. Creation marks the ticket `triage_pending` in its own
 * statement, so a triage is owed even if Redis loses every job; a BullMQ drain job then triages
 * the pending tickets in batches: one read, concurrent requests to the ai-proxy, one write. Drains
 * run one at a time across replicas; an unavailable ai-proxy fails the drain, which is retried
 * with backoff, and the minute sweep picks up whatever is still pending.
 */
@Injectable()
export class AiTriageQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AiTriageQueue.name);
  private readonly queue: Queue<DrainJob>;
  private worker?: Worker<DrainJob>;
  private readonly connections: Redis[] = [];
  /** The window this replica last queued a drain for: one Redis call per window, not per ticket. */
  private queuedWindow = -1;
  private lastFailureReport = 0;
  private failuresSinceReport = 0;

  constructor(
    @Inject(ServiceConfig) private readonly config: ServiceConfig,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.queue = new Queue<DrainJob>(QUEUE, { connection: this.connection(), prefix: config.QUEUE_PREFIX });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.setGlobalConcurrency(1);
    await this.queue.upsertJobScheduler('ai-triage-sweep', { every: SWEEP_EVERY_MS }, { name: 'drain', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
    this.worker = new Worker<DrainJob>(QUEUE, (job) => this.process(job), { connection: this.connection(), prefix: this.config.QUEUE_PREFIX, concurrency: 1 });
    this.worker.on('failed', (_job, error) => this.reportFailure(error));
  }

  async onApplicationShutdown(): Promise<void> {
    // A triage may wait a minute on a model: shutdown does not wait for it. The tickets of an
    // interrupted drain are still pending, and storing a triage twice is harmless.
    await this.worker?.close(true);
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }

  /** While the ai-proxy is down every drain fails: one warning a minute, saying how many failed since the last. */
  private reportFailure(error: Error): void {
    this.failuresSinceReport += 1;
    if (Date.now() - this.lastFailureReport < FAILURE_REPORT_INTERVAL_MS) return;
    this.logger.warn(`AI triage drain failed (${this.failuresSinceReport} failure(s) since the last warning; the tickets stay pending and are retried): ${error.message}`);
    this.lastFailureReport = Date.now();
    this.failuresSinceReport = 0;
  }

  /**
   * Called after tickets marked pending have committed. Never fails the caller: a ticket without a
   * triage is still a ticket, and the sweep triages it within a minute if this drain is lost.
   */
  ticketsCreated(): void {
    const now = Date.now();
    const window = Math.floor(now / DRAIN_WINDOW_MS);
    if (window === this.queuedWindow) return;
    this.queuedWindow = window;
    // Delayed to the window's end, the drain reads every ticket whose creation queued it.
    const drain = { jobId: `drain-${window}`, delay: (window + 1) * DRAIN_WINDOW_MS - now, attempts: 6, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: true, removeOnFail: 100 };
    this.queue.add('drain', {}, drain).catch((error: unknown) => this.logger.warn(`Could not queue an AI triage drain (the sweep will run it): ${error instanceof Error ? error.message : String(error)}`));
  }

  private async process(job: Job<DrainJob>): Promise<void> {
    const { ticketId, orgId } = job.data;
    if (ticketId && orgId) {
      await this.dataSource.query(`UPDATE ${TICKET_SCHEMA}.tickets SET triage_pending = true WHERE id = $1 AND organization_id = $2 AND ai_triage IS NULL AND NOT triage_pending`, [ticketId, orgId]);
    }
    await this.drain();
  }

  /** Triages the pending tickets, oldest first, a batch at a time; answers how many it stored. */
  async drain(): Promise<number> {
    let stored = 0;
    for (;;) {
      const pending = (await this.dataSource.query(
        `SELECT id, organization_id, subject, description FROM ${TICKET_SCHEMA}.tickets WHERE triage_pending ORDER BY id LIMIT $1`,
        [DRAIN_BATCH],
      )) as PendingTicket[];
      if (pending.length === 0) return stored;
      const outcomes: Outcome[] = [];
      for (let start = 0; start < pending.length; start += REQUESTS_IN_FLIGHT) {
        const answered = await Promise.all(pending.slice(start, start + REQUESTS_IN_FLIGHT).map((ticket) => this.triage(ticket)));
        outcomes.push(...answered);
        // An ai-proxy that is down fails every request alike: stop asking until the retry.
        if (answered.some((outcome) => outcome.failure && !outcome.permanent)) break;
      }
      const settled = outcomes.filter((outcome) => outcome.triage || outcome.permanent);
      await this.store(settled);
      stored += settled.filter((outcome) => outcome.triage).length;
      for (const { ticket, failure } of outcomes.filter((outcome) => outcome.permanent)) {
        this.logger.warn({ message: `AI triage of ticket ${ticket.id} refused, not retried: ${failure!.message}`, orgId: ticket.organization_id });
      }
      const retry = outcomes.find((outcome) => outcome.failure && !outcome.permanent);
      if (retry) throw new Error(`${pending.length - settled.length} ticket(s) still pending: ${retry.failure!.message}`);
      if (pending.length < DRAIN_BATCH) return stored;
    }
  }

  private async triage(ticket: PendingTicket): Promise<Outcome> {
    const command: TriageCommand = { orgId: ticket.organization_id, subject: ticket.subject.slice(0, TICKET_LIMITS.subject), text: stripToPlainText(ticket.description).slice(0, TRIAGE_TEXT_CHARS) };
    try {
      const triage = await this.commands.request<AiTriage>(subjects.ai.triage, command, { timeoutMs: AI_COMMAND_TIMEOUT_MS });
      return { ticket, triage: { ...triage, triagedAt: new Date().toISOString() } };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return { ticket, failure, permanent: error instanceof CommandError && PERMANENT_CODES.has(error.code) };
    }
  }

  /**
   * One statement for the batch: the triages, and the refused tickets no longer pending. A plain
   * column write: a suggestion is not an edit, so it neither bumps the version nor updated_at (a
   * deleted ticket matches nothing).
   */
  private async store(outcomes: Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const rows = outcomes.map(({ ticket, triage }) => ({ id: ticket.id, organization_id: ticket.organization_id, triage: triage ?? null }));
    await this.dataSource.query(
      `UPDATE ${TICKET_SCHEMA}.tickets AS ticket SET ai_triage = coalesce(outcome.triage, ticket.ai_triage), triage_pending = false
       FROM jsonb_to_recordset($1::jsonb) AS outcome(id uuid, organization_id uuid, triage jsonb)
       WHERE ticket.id = outcome.id AND ticket.organization_id = outcome.organization_id`,
      [JSON.stringify(rows)],
    );
  }

  /** BullMQ workers block on Redis and need their own connections, without a per-command retry limit. */
  private connection(): Redis {
    const connection = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.connections.push(connection);
    return connection;
  }
}
