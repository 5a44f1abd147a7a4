import { type CallHandler, type ExecutionContext, Inject, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { isErrorEnvelope, REQUEST_ID_HEADER } from '@helpdesk/contracts';
import { finalize, Observable, tap } from 'rxjs';
import { CommandError } from '../errors/command-error.js';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { acceptedRequestId } from '../logging/request-id.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { contextFromHeaders, MESSAGING_DESTINATION, MESSAGING_OPERATION, MESSAGING_SYSTEM, recordFailure, SpanKind, startSpan, tracing, withSpan, type HeaderAccess, type Span } from '../tracing/tracing.js';

/** A command slower than this is logged (a warning): callers give up after 5 s (NATS_REQUEST_TIMEOUT_MS's default). */
export const SLOW_COMMAND_MS = 2_000;

/**
 * Counts each NATS command as in-flight work (for graceful shutdown), times it (for metrics, and a
 * warning when slow) and, when tracing is on, runs it in a SERVER span that is the child of the
 * caller's (W3C traceparent in the command's headers).
 */
@Injectable()
export class RpcTrackingInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Commands');

  constructor(
    @Inject(LifecycleService) private readonly lifecycle: LifecycleService,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const nats = context.switchToRpc().getContext<{ getSubject(): string; getHeaders(): Pick<HeaderAccess, 'get'> | undefined }>();
    const subject = nats.getSubject();
    const done = this.lifecycle.track();
    const startedAt = performance.now();
    const stopTimer = this.metrics.natsHandlerDuration.startTimer({ subject });
    let outcome = 'ok';
    let span: Span | undefined;
    let handled: Observable<unknown>;
    if (tracing.enabled) {
      const parent = contextFromHeaders(nats.getHeaders());
      span = startSpan(`process ${subject}`, SpanKind.SERVER, { [MESSAGING_SYSTEM]: 'nats', [MESSAGING_DESTINATION]: subject, [MESSAGING_OPERATION]: 'process' }, parent);
      const active = span;
      // Both handle() and the subscription inside the span's context: Nest binds the rest of the chain to
      // where handle() is called, but an interceptor after this one (nestjs-cls's) calls it only when
      // subscribed, which without this would happen in the context the subscription came from.
      handled = new Observable((subscriber) => withSpan(active, () => next.handle().subscribe(subscriber), parent));
    } else handled = next.handle();
    return handled.pipe(
      tap({
        error: (error: unknown) => {
          outcome = error instanceof CommandError ? error.code : isErrorEnvelope(error) ? error.code : 'INTERNAL';
          if (span) recordFailure(span, error instanceof Error ? error : (isErrorEnvelope(error) ? error.message : 'failed'), outcome);
        },
      }),
      finalize(() => {
        stopTimer({ outcome });
        const tookMs = Math.round(performance.now() - startedAt);
        if (tookMs >= SLOW_COMMAND_MS) {
          const requestId = acceptedRequestId(nats.getHeaders()?.get(REQUEST_ID_HEADER)) ?? 'none';
          this.logger.warn(`Slow command: ${subject} took ${tookMs} ms (${outcome}, request id ${requestId})`);
        }
        span?.end();
        done();
      }),
    );
  }
}
