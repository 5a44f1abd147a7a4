import type { HealthIndicatorResult } from '@nestjs/terminus';

/** A dependency check that readiness (and details) runs; implementations use the service's live connections. */
export interface HealthIndicator {
  check(): PromiseLike<HealthIndicatorResult>;
}

export const READINESS_INDICATORS = Symbol('READINESS_INDICATORS');
export const DETAIL_INDICATORS = Symbol('DETAIL_INDICATORS');

/** Every dependency probe gives up after this long, well inside a Kubernetes probe's timeout. */
export const DEPENDENCY_CHECK_TIMEOUT_MS = 1_500;
