import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { closeWorker, CommandClient, CommandError } from '@helpdesk/common';
import { subjects, type RequestPasswordResetCommand } from '@helpdesk/contracts';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { GatewayConfig } from '../gateway.config.js';

export const PASSWORD_RESET_QUEUE = 'password-reset-requests';
/** 1 s, 2 s, 4 s … : ten attempts cover about 17 minutes of ticket-service outage (a rolling restart, a failover). */
const ATTEMPTS = 10;
const FIRST_RETRY_MS = 1_000;
/** Answers that another attempt cannot change. */
const PERMANENT_CODES = new Set(['VALIDATION', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED']);

/**
 * Hands password-reset requests to the ticket service through a BullMQ queue in Redis, so a request
 * the gateway has answered 202 survives a ticket service that is down or restarting (and this
 * replica stopping): any gateway replica's worker delivers it, retrying with backoff. Queuing is one
 * Redis write whether or not the account exists, so the answer's timing still says nothing. The job
 * holds the email only until it is delivered or given up (then removed; logs never name it).
 */
@Injectable()
export class PasswordResetHandover implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PasswordResetHandover.name);
  private readonly queue: Queue<RequestPasswordResetCommand>;
  private worker?: Worker<RequestPasswordResetCommand>;
  // BullMQ needs connections of its own (blocking commands, maxRetriesPerRequest null).
  private readonly connections: Redis[] = [];

  constructor(
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
    @Inject(CommandClient) private readonly commands: CommandClient,
  ) {
    this.queue = new Queue<RequestPasswordResetCommand>(PASSWORD_RESET_QUEUE, { connection: this.connection(), prefix: config.QUEUE_PREFIX });
    // Redis outages are logged by the shared client; BullMQ would print each reconnection error again.
    this.queue.on('error', () => undefined);
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<RequestPasswordResetCommand>(PASSWORD_RESET_QUEUE, (job) => this.deliver(job), { connection: this.connection(), prefix: this.config.QUEUE_PREFIX, concurrency: 4 });
    this.worker.on('error', () => undefined);
    this.worker.on('failed', (job, error) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) this.logger.error(`Password reset request ${job.id} given up after ${job.attemptsMade} attempt(s): ${error.message}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeWorker(this.worker, this.connections);
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }

  /**
   * Queues the request. Should Redis refuse (the reset limits, also in Redis, answer 503 before
   * this in an outage), it is handed over directly once, as before the queue existed.
   */
  async enqueue(command: RequestPasswordResetCommand): Promise<void> {
    const request: RequestPasswordResetCommand = { email: command.email, ...(command.organization ? { organization: command.organization } : {}) };
    try {
      await this.queue.add('request', request, { attempts: ATTEMPTS, backoff: { type: 'exponential', delay: FIRST_RETRY_MS }, removeOnComplete: true, removeOnFail: true });
    } catch (error) {
      this.logger.warn(`Password reset request not queued, handed over directly: ${error instanceof Error ? error.message : String(error)}`);
      this.commands.request(subjects.auth.requestPasswordReset, request).catch((failure: unknown) => {
        this.logger.error(`Password reset request could not be handed to the ticket service: ${(failure as Error).message}`);
      });
    }
  }

  private async deliver(job: Job<RequestPasswordResetCommand>): Promise<void> {
    try {
      await this.commands.request(subjects.auth.requestPasswordReset, job.data);
    } catch (error) {
      if (error instanceof CommandError && PERMANENT_CODES.has(error.code)) throw new UnrecoverableError(`${error.code}: ${error.message}`);
      throw error;
    }
  }

  private connection(): Redis {
    const connection = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    // Errors surface through the queue calls; the shared client already logs Redis outages.
    connection.on('error', () => undefined);
    this.connections.push(connection);
    return connection;
  }
}
