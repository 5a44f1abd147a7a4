import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { closeWorker, MetricsService, queueAdditions, type BulkJob, type GroupCommit } from '@helpdesk/common';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { DeliveryLog, type Delivery } from '../deliveries/delivery-log.js';
import { NotificationConfig } from '../notification.config.js';
import { AccountLinks } from './account-links.js';
import { isPermanentSmtpFailure, MAIL_ATTEMPTS, retryDelay } from './mail-retry.js';
import { MailTransport } from './mail-transport.js';
import { OutgoingMailQuota } from './outgoing-mail-quota.js';
import { deliveryKey } from './threading.js';

const QUEUE = 'mail';
const JITTER_BACKOFF = 'exponential-jitter';
const DAY_SECONDS = 24 * 60 * 60;
/** A job orphaned by a crashed worker is taken over this many times; the delivery log keeps each takeover from sending twice. */
const MAX_STALLED_TAKEOVERS = 5;
/** Admin alert mails that fail are not critical themselves: a failing alert must never raise another alert. */
export const ADMIN_ALERT_TEMPLATE = 'admin-alert';

interface MailJob {
  deliveryId: string;
  /** Set for mails to non-staff addresses: the organization whose hourly quota they count against. */
  quotaOrgId?: string;
}

type QueuedDelivery = Pick<Delivery, 'id' | 'eventId' | 'recipient' | 'template' | 'message'>;

/** One job id per (event, recipient, template): adding the same mail twice (a redelivered event) is a no-op in BullMQ. */
const jobIdOf = (delivery: QueuedDelivery) => `mail-${deliveryKey(delivery.eventId, delivery.recipient, delivery.template)}`;

const jobOptions = (delivery: QueuedDelivery): JobsOptions => ({
  jobId: jobIdOf(delivery),
  attempts: MAIL_ATTEMPTS,
  backoff: { type: JITTER_BACKOFF },
  removeOnComplete: { age: DAY_SECONDS },
  removeOnFail: { age: 7 * DAY_SECONDS },
});

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The `mail` queue and its worker. Jobs carry only a delivery id; the delivery log says what to send
 * and whether it was sent already, so a duplicate job, a retry after a crash or a replay never sends
 * a mail twice. 4 attempts with jittered exponential backoff; a 5xx reply is final at once; a
 * delivery that runs out of attempts becomes a dead letter (critical log line, metric, row 'dead').
 */
@Injectable()
export class MailQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailQueue.name);
  private readonly queue: Queue<MailJob>;
  private worker?: Worker<MailJob>;
  private readonly connections: Redis[] = [];
  private readonly deadLetters: Counter;
  private readonly sent: Counter;
  private readonly pendingDeadLetters = new Set<Promise<void>>();
  /** Jobs added by concurrent events go to Redis together, in one round trip. */
  private readonly additions: GroupCommit<BulkJob<MailJob>, void>;

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(DeliveryLog) private readonly log: DeliveryLog,
    @Inject(MailTransport) private readonly transport: MailTransport,
    @Inject(AccountLinks) private readonly accountLinks: AccountLinks,
    @Inject(OutgoingMailQuota) private readonly quota: OutgoingMailQuota,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.queue = new Queue<MailJob>(QUEUE, { connection: this.connection(), prefix: config.QUEUE_PREFIX });
    this.additions = queueAdditions(this.queue);
    this.deadLetters = new Counter({ name: 'helpdesk_mail_dead_letters_total', help: 'Mails given up after their last attempt or a permanent SMTP failure', registers: [metrics.registry] });
    this.sent = new Counter({ name: 'helpdesk_mail_sent_total', help: 'Mails accepted by the SMTP server', registers: [metrics.registry] });
    const depth: Gauge = new Gauge({
      name: 'helpdesk_mail_queue_depth',
      help: 'Mails waiting, being sent or waiting to retry',
      registers: [metrics.registry],
      collect: async () => depth.set(await this.backlog()),
    });
  }

  /** Mails not yet finished: waiting, being sent, or delayed before a retry. */
  async backlog(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<MailJob>(QUEUE, (job, token) => this.process(job, token), {
      connection: this.connection(),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.MAIL_CONCURRENCY,
      lockDuration: this.config.MAIL_LOCK_DURATION_MS,
      stalledInterval: this.config.MAIL_LOCK_DURATION_MS,
      maxStalledCount: MAX_STALLED_TAKEOVERS,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade, this.config.MAIL_RETRY_BASE_DELAY_MS) },
    });
    this.worker.on('failed', (job, error) => {
      if (!job) return;
      const done = this.deadLetterIfFinal(job, error).finally(() => this.pendingDeadLetters.delete(done));
      this.pendingDeadLetters.add(done);
    });
    this.worker.on('error', (error) => this.logger.error(`Mail worker error: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    // Lets the mails being sent finish; queued ones stay in Redis for the next worker.
    await closeWorker(this.worker, this.connections);
    await Promise.all(this.pendingDeadLetters);
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }

  enqueue(delivery: QueuedDelivery): Promise<void> {
    const quotaOrgId = delivery.message.quotaOrgId;
    return this.additions.submit({ name: 'send', data: { deliveryId: delivery.id, ...(quotaOrgId ? { quotaOrgId } : {}) }, opts: jobOptions(delivery) });
  }

  /** Queues a revived dead letter again: its previous, failed job holds the job id, so it goes first. */
  async requeue(delivery: QueuedDelivery): Promise<void> {
    await this.queue.remove(jobIdOf(delivery));
    await this.enqueue(delivery);
  }

  private async process(job: Job<MailJob>, token: string | undefined): Promise<void> {
    // Over the organization's hourly quota: the job waits for the next hour (not an attempt, not a failure).
    const waitMs = job.data.quotaOrgId ? await this.quota.take(job.data.quotaOrgId) : undefined;
    if (waitMs !== undefined) {
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    const delivery = await this.log.claim(job.data.deliveryId);
    // Already sent (or given up): a duplicate job, or a retry of an attempt whose success was recorded.
    if (!delivery) return;
    try {
      const mail = await this.accountLinks.fill(delivery.message);
      if (!mail) {
        await this.log.markCancelled(delivery.id, 'The account link can no longer be issued: user inactive or invitation already accepted');
        return;
      }
      await this.transport.send(mail);
    } catch (error) {
      await this.log.markFailed(delivery.id, describe(error));
      if (isPermanentSmtpFailure(error)) throw new UnrecoverableError(describe(error));
      throw error;
    }
    await this.log.markSent(delivery.id);
    this.sent.inc();
  }

  /** Out of attempts, a permanent failure, or (read from the job's state) stalled too often by crashing workers. */
  private async deadLetterIfFinal(job: Job<MailJob>, error: Error): Promise<void> {
    const final = error instanceof UnrecoverableError || job.attemptsMade >= MAIL_ATTEMPTS || (await job.getState().catch(() => undefined)) === 'failed';
    if (final) await this.deadLetter(job.data.deliveryId, error);
  }

  private async deadLetter(deliveryId: string, error: Error): Promise<void> {
    try {
      const dead = await this.log.markDead(deliveryId, error.message);
      if (!dead) return;
      this.deadLetters.inc();
      const critical = dead.template !== ADMIN_ALERT_TEMPLATE;
      this.logger.error({
        message: `${critical ? 'CRITICAL: ' : ''}mail ${dead.template} to ${dead.recipient} given up after ${dead.attempts} attempt(s): ${error.message}`,
        critical,
        deliveryId,
        eventId: dead.eventId,
      });
    } catch (failure) {
      this.logger.error(`Could not record dead letter ${deliveryId}: ${describe(failure)}`);
    }
  }

  /** BullMQ workers block on Redis and need their own connections, without a per-command retry limit. */
  private connection(): Redis {
    const connection = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.connections.push(connection);
    return connection;
  }
}
