import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoffFactory,
  type IRetryBackoffContext,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { AI_COMMAND_TIMEOUT_MS } from '@helpdesk/contracts';

/** An HTTP answer of the provider that is not a success. */
export class ProviderHttpError extends Error {
  override readonly name = 'ProviderHttpError';

  constructor(
    readonly status: number,
    /** From Retry-After, when the provider sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`The AI provider answered HTTP ${status}`);
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1_000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

type RetryContext = IRetryBackoffContext<unknown>;

/** Jittered exponential backoff, except that the provider's Retry-After wins when it sent one (capped). */
export function honourRetryAfter(jittered: IBackoffFactory<RetryContext>, maxDelayMs: number): IBackoffFactory<RetryContext> {
  return {
    next(context) {
      const backoff = jittered.next(context);
      const error = 'error' in context.result ? context.result.error : undefined;
      const hinted = error instanceof ProviderHttpError ? error.retryAfterMs : undefined;
      return { duration: hinted === undefined ? backoff.duration : Math.min(hinted, maxDelayMs), next: honourRetryAfter(backoff, maxDelayMs).next };
    },
  };
}

/** A network failure (connection refused, reset) rather than an answer. */
const isNetworkError = (error: Error) => error instanceof TypeError && error.message === 'fetch failed';
const isProviderFailure = (error: Error) => (error instanceof ProviderHttpError && error.retryable) || isNetworkError(error) || error instanceof TaskCancelledError;

export interface ResilienceOptions {
  attemptTimeoutMs: number;
  maxRetries: number;
  circuitFailureThreshold: number;
  circuitOpenMs: number;
}

const MAX_RETRY_DELAY_MS = 10_000;
/** The whole call, retries included, ends before the caller's AI_COMMAND_TIMEOUT_MS does. */
export const OVERALL_DEADLINE_MS = AI_COMMAND_TIMEOUT_MS - 5_000;

/**
 * cockatiel policies, outermost first: an overall deadline; retries with jitter on 429, 5xx and
 * network errors; a circuit breaker that opens after consecutive failures and then fails fast;
 * and a timeout per attempt that aborts the request.
 */
export function providerPolicy(options: ResilienceOptions) {
  const retries = retry(
    handleWhen((error) => !(error instanceof BrokenCircuitError) && !(error instanceof TaskCancelledError) && isProviderFailure(error)),
    {
      maxAttempts: options.maxRetries,
      backoff: honourRetryAfter(new ExponentialBackoff({ initialDelay: 250, maxDelay: MAX_RETRY_DELAY_MS }), MAX_RETRY_DELAY_MS),
    },
  );
  const breaker = circuitBreaker(handleWhen(isProviderFailure), {
    halfOpenAfter: options.circuitOpenMs,
    breaker: new ConsecutiveBreaker(options.circuitFailureThreshold),
  });
  return wrap(timeout(OVERALL_DEADLINE_MS, TimeoutStrategy.Aggressive), retries, breaker, timeout(options.attemptTimeoutMs, TimeoutStrategy.Aggressive));
}
