import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, Logger } from '@nestjs/common';
import { ClientNats, NatsRecordBuilder } from '@nestjs/microservices';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { isErrorEnvelope, REQUEST_ID_HEADER } from '@helpdesk/contracts';
import { ClsService } from 'nestjs-cls';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { ServiceConfig } from '../config/service-config.js';
import { CommandError } from '../errors/command-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NatsConnections } from './nats-connections.js';
import { injectIntoHeaders, MESSAGING_DESTINATION, MESSAGING_OPERATION, MESSAGING_SYSTEM, recordFailure, SpanKind, startSpan, tracing, withSpan, type Span } from '../tracing/tracing.js';

export const NATS_CLIENT = Symbol('NATS_CLIENT');
const CLIENT_ROLE = 'client';

export interface CommandOptions {
  /** Overrides NATS_REQUEST_TIMEOUT_MS for this call. */
  timeoutMs?: number;
}

/**
 * Sends versioned commands to other services and returns their reply. Every call has a timeout;
 * failures come back as a CommandError with the remote code, or TIMEOUT / UNAVAILABLE when no
 * answer could be had, so callers never hang and never see transport internals.
 */
@Injectable()
export class CommandClient implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommandClient.name);

  constructor(
    @Inject(NATS_CLIENT) private readonly client: ClientNats,
    @Inject(ServiceConfig) private readonly config: ServiceConfig,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(NatsConnections) private readonly connections: NatsConnections,
    @Inject(ClsService) private readonly cls: ClsService,
  ) {
    connections.expect(CLIENT_ROLE);
  }

  onApplicationBootstrap(): void {
    // Not awaited: the service boots and serves probes (not ready) while NATS is still unreachable.
    this.client
      .connect()
      .then(() => this.connections.register(CLIENT_ROLE, this.client.unwrap()))
      .catch((error: unknown) => this.logger.error(`NATS client could not connect: ${String(error)}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  async request<TReply>(subject: string, payload: unknown, options: CommandOptions = {}): Promise<TReply> {
    const timeoutMs = options.timeoutMs ?? this.config.NATS_REQUEST_TIMEOUT_MS;
    const headers = natsHeaders();
    const requestId = this.cls.isActive() ? this.cls.getId() : undefined;
    if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
    // The handler's span is a child of this one: its traceparent travels in the command's headers.
    let span: Span | undefined;
    if (tracing.enabled) {
      span = startSpan(`send ${subject}`, SpanKind.CLIENT, { [MESSAGING_SYSTEM]: 'nats', [MESSAGING_DESTINATION]: subject, [MESSAGING_OPERATION]: 'send' });
      withSpan(span, () => injectIntoHeaders(headers));
    }
    const record = new NatsRecordBuilder(payload ?? {}).setHeaders(headers).build();
    const stopTimer = this.metrics.natsRequestDuration.startTimer({ subject });
    try {
      const reply = await firstValueFrom(this.client.send<TReply>(subject, record).pipe(timeout({ first: timeoutMs })));
      stopTimer({ outcome: 'ok' });
      return reply;
    } catch (error) {
      const failure = this.toCommandError(subject, timeoutMs, error);
      stopTimer({ outcome: failure.code });
      if (span) recordFailure(span, failure, failure.code);
      throw failure;
    } finally {
      span?.end();
    }
  }

  private toCommandError(subject: string, timeoutMs: number, error: unknown): CommandError {
    if (error instanceof TimeoutError) return new CommandError('TIMEOUT', `No reply to ${subject} within ${timeoutMs} ms`);
    if (isErrorEnvelope(error)) return CommandError.fromEnvelope(error);
    // Anything else is the transport: a lost connection, no handler for the subject, a malformed reply.
    this.logger.warn(`Command ${subject} failed in transport: ${error instanceof Error ? error.message : String(error)}`);
    return new CommandError('UNAVAILABLE', `The service answering ${subject} is unavailable`);
  }
}
