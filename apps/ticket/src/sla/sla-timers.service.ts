import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { closeWorker, queueAdditions, ServiceConfig, type BulkJob, type GroupCommit } from '@helpdesk/common';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { InjectDataSource } from '@nestjs/typeorm';
import { FINISHED_STATUSES } from '@helpdesk/contracts';
import { DataSource } from 'typeorm';
import { Ticket } from '../tickets/ticket.entity.js';
import { SlaEnforcer } from './sla-enforcer.js';

const QUEUE = 'sla-timers';
const SWEEP_EVERY_MS = 60_000;

type SlaJob = { kind: 'check'; ticketId: string } | { kind: 'sweep' };

/**
 * A delayed BullMQ job at each ticket's next warning or due time, plus a sweep every minute that
 * catches timers lost while the service was down. Jobs only say "look at this ticket now": the
 * enforcer decides from the database, so stale or duplicate jobs are harmless.
 */
@Injectable()
export class SlaTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SlaTimers.name);
  private readonly queue: Queue<SlaJob>;
  private worker?: Worker<SlaJob>;
  private readonly connections: Redis[] = [];
  /** Timers of tickets created or changed together go to Redis in one round trip. */
  private readonly additions: GroupCommit<BulkJob<SlaJob>, void>;

  constructor(
    @Inject(ServiceConfig) private readonly config: ServiceConfig,
    @Inject(SlaEnforcer) private readonly enforcer: SlaEnforcer,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.queue = new Queue<SlaJob>(QUEUE, { connection: this.connection(), prefix: config.QUEUE_PREFIX });
    this.additions = queueAdditions(this.queue);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker = new Worker<SlaJob>(QUEUE, (job) => this.process(job), { connection: this.connection(), prefix: this.config.QUEUE_PREFIX, concurrency: 4 });
    this.worker.on('failed', (job, error) => this.reportFailure(job, error));
    await this.queue.upsertJobScheduler('sla-sweep', { every: SWEEP_EVERY_MS }, { name: 'sweep', data: { kind: 'sweep' } });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeWorker(this.worker, this.connections);
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }

  /**
   * Schedules one check at the ticket's earliest warning or due time (at once if that time has
   * passed); each check then schedules the next future one. One delayed job per ticket rather than
   * one per time: creation is the hottest write. Never fails the caller: the sweep is the safety net.
   */
  async schedule(ticket: Ticket, onlyAfter = Number.NEGATIVE_INFINITY): Promise<void> {
    const now = Date.now();
    const next = [
      ticket.firstRespondedAt ? null : ticket.firstResponseWarningAt,
      ticket.firstRespondedAt ? null : ticket.firstResponseDueAt,
      ticket.nextResponseWarningAt,
      ticket.nextResponseDueAt,
      ticket.slaPausedAt ? null : ticket.resolutionWarningAt,
      ticket.slaPausedAt ? null : ticket.resolutionDueAt,
    ]
      .filter((time): time is Date => time instanceof Date && time.getTime() > onlyAfter)
      .reduce<Date | undefined>((earliest, time) => (!earliest || time < earliest ? time : earliest), undefined);
    if (!next) return;
    try {
      // One job per ticket and instant: rescheduling the same time is a no-op, and a job left at a time that no longer applies finds nothing due.
      await this.additions.submit({
        name: 'check',
        data: { kind: 'check', ticketId: ticket.id },
        opts: { jobId: `${ticket.id}-${next.getTime()}`, delay: Math.max(0, next.getTime() - now), removeOnComplete: true, removeOnFail: 1_000, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } },
      });
    } catch (error) {
      this.logger.warn(`Could not schedule SLA timers for ticket ${ticket.id} (the sweep will catch them): ${String(error)}`);
    }
  }

  /** A job out of retries leaves a warning or breach unrecorded until a later sweep succeeds: the admins must know. */
  private reportFailure(job: Job<SlaJob> | undefined, error: Error): void {
    const attempts = job?.opts.attempts ?? 1;
    if (job && job.attemptsMade < attempts) {
      this.logger.error(`SLA job ${job.name} ${job.id ?? '?'} failed (attempt ${job.attemptsMade} of ${attempts}), retrying: ${error.message}`);
      return;
    }
    this.logger.error({ message: `CRITICAL: SLA job ${job?.name ?? '?'} ${job?.id ?? '?'} failed for good after ${attempts} attempt(s): ${error.message}`, critical: true });
  }

  private async process(job: Job<SlaJob>): Promise<number> {
    if (job.data.kind === 'sweep') return this.enforcer.sweep();
    const fired = await this.enforcer.check(job.data.ticketId);
    const ticket = await this.dataSource.manager.findOneBy(Ticket, { id: job.data.ticketId });
    // Only future times: a past one was just checked, and scheduling it again would loop.
    if (ticket && !FINISHED_STATUSES.includes(ticket.status)) await this.schedule(ticket, Date.now());
    return fired;
  }

  /** BullMQ workers block on Redis and need their own connections, without a per-command retry limit. */
  private connection(): Redis {
    const connection = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.connections.push(connection);
    return connection;
  }
}
