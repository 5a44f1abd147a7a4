import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { isErrorEnvelope } from '@helpdesk/contracts';
import { finalize, tap, type Observable } from 'rxjs';
import { CommandError } from '../errors/command-error.js';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Counts each NATS command as in-flight work (for graceful shutdown) and times it (for metrics). */
@Injectable()
export class RpcTrackingInterceptor implements NestInterceptor {
  constructor(
    @Inject(LifecycleService) private readonly lifecycle: LifecycleService,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const subject = context.switchToRpc().getContext<{ getSubject(): string }>().getSubject();
    const done = this.lifecycle.track();
    const stopTimer = this.metrics.natsHandlerDuration.startTimer({ subject });
    let outcome = 'ok';
    return next.handle().pipe(
      tap({
        error: (error: unknown) => {
          outcome = error instanceof CommandError ? error.code : isErrorEnvelope(error) ? error.code : 'INTERNAL';
        },
      }),
      finalize(() => {
        stopTimer({ outcome });
        done();
      }),
    );
  }
}
