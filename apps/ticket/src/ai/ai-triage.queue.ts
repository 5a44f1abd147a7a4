import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandClient, CommandError, queueAdditions, ServiceConfig, stripToPlainText, type BulkJob, type GroupCommit } from '@helpdesk/common';
import { AI_COMMAND_TIMEOUT_MS, subjects, TICKET_LIMITS, type AiTriage, type StoredAiTriage, type TriageCommand } from '@helpdesk/contracts';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import type { Ticket } from '../tickets/ticket.entity.js';

const QUEUE = 'ai-triage';
/** The model sees the start of a long description; triage needs no more. */
const TRIAGE_TEXT_CHARS = 8_000;
/** Errors that another attempt cannot fix. */
const PERMANENT_CODES = new Set(['VALIDATION', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED']);

/** The command for the ai-proxy, carried in the job so the worker need not read the ticket back. */
type TriageJob = { ticketId: string } & (TriageCommand | { orgId: string; subject?: undefined; text?: undefined });

/**
 * Triages each new ticket in the background: a BullMQ job asks the ai-proxy and stores the
 * suggestion on the ticket. Ticket creation only enqueues (and never fails if even that fails);
 * an unavailable ai-proxy or provider is retried with backoff.
 */
@Injectable()
export class AiTriageQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AiTriageQueue.name);
  private readonly queue: Queue<TriageJob>;
  private worker?: Worker<TriageJob>;
  private readonly connections: Redis[] = [];
  /** Jobs of tickets created together go to Redis in one round trip. */
  private readonly additions: GroupCommit<BulkJob<TriageJob>, void>;

  constructor(
    @Inject(ServiceConfig) private readonly config: ServiceConfig,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.queue = new Queue<TriageJob>(QUEUE, { connection: this.connection(), prefix: config.QUEUE_PREFIX });
    this.additions = queueAdditions(this.queue);
  }

  onApplicationBootstrap(): void {
    // One job at a time per replica: triage is not urgent, and a model server is easily overloaded.
    this.worker = new Worker<TriageJob>(QUEUE, (job) => this.process(job), { connection: this.connection(), prefix: this.config.QUEUE_PREFIX, concurrency: 1 });
    this.worker.on('failed', (job, error) => this.logger.warn({ message: `AI triage of ticket ${job?.data.ticketId ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`, orgId: job?.data.orgId }));
  }

  async onApplicationShutdown(): Promise<void> {
    // A triage may wait a minute on a model: shutdown does not wait for it. The interrupted job is
    // picked up again as stalled, and storing a triage twice is harmless.
    await this.worker?.close(true);
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }

  private commandFor(ticket: Pick<Ticket, 'id' | 'organizationId' | 'subject' | 'description'>): TriageCommand {
    return { orgId: ticket.organizationId, subject: ticket.subject.slice(0, TICKET_LIMITS.subject), text: stripToPlainText(ticket.description).slice(0, TRIAGE_TEXT_CHARS) };
  }

  /** Never fails the caller: a ticket without a triage is still a ticket. */
  async enqueue(ticket: Pick<Ticket, 'id' | 'organizationId' | 'subject' | 'description'>): Promise<void> {
    try {
      await this.additions.submit({
        name: 'triage',
        data: { ticketId: ticket.id, ...this.commandFor(ticket) },
        opts: { jobId: `triage-${ticket.id}`, attempts: 6, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: true, removeOnFail: 1_000 },
      });
    } catch (error) {
      this.logger.warn(`Could not queue AI triage for ticket ${ticket.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async process(job: Job<TriageJob>): Promise<void> {
    const { orgId, ticketId } = job.data;
    const command = job.data.text !== undefined ? { orgId, subject: job.data.subject, text: job.data.text } : await this.commandFromTicket(orgId, ticketId);
    if (!command) return;
    let triage: AiTriage;
    try {
      triage = await this.commands.request<AiTriage>(subjects.ai.triage, command, { timeoutMs: AI_COMMAND_TIMEOUT_MS });
    } catch (error) {
      if (error instanceof CommandError && PERMANENT_CODES.has(error.code)) throw new UnrecoverableError(`${error.code}: ${error.message}`);
      throw error;
    }
    const stored: StoredAiTriage = { ...triage, triagedAt: new Date().toISOString() };
    // A plain column write: a suggestion is not an edit, so it neither bumps the version nor updated_at (a deleted ticket matches nothing).
    await this.dataSource.query(`UPDATE ${TICKET_SCHEMA}.tickets SET ai_triage = $1 WHERE id = $2 AND organization_id = $3`, [JSON.stringify(stored), ticketId, orgId]);
  }

  /** Jobs queued before they carried the text (an upgrade with triage jobs waiting) read the ticket. */
  private async commandFromTicket(orgId: string, ticketId: string): Promise<TriageCommand | null> {
    const [ticket] = (await this.dataSource.query(`SELECT subject, description FROM ${TICKET_SCHEMA}.tickets WHERE id = $1 AND organization_id = $2`, [ticketId, orgId])) as Array<Pick<Ticket, 'subject' | 'description'>>;
    return ticket ? this.commandFor({ id: ticketId, organizationId: orgId, ...ticket }) : null;
  }

  /** BullMQ workers block on Redis and need their own connections, without a per-command retry limit. */
  private connection(): Redis {
    const connection = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.connections.push(connection);
    return connection;
  }
}
