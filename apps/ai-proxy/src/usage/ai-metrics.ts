import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '@helpdesk/common';
import { Counter, Histogram } from 'prom-client';

/** The ai-proxy's own metrics, in the service's registry (served on /metrics). No organization label: logs carry it. */
@Injectable()
export class AiMetrics {
  readonly requests: Counter<'operation' | 'provider' | 'outcome'>;
  readonly tokens: Counter<'provider' | 'model' | 'kind'>;
  readonly duration: Histogram<'operation' | 'provider'>;
  readonly budgetRefusals: Counter<'pool'>;

  constructor(@Inject(MetricsService) metrics: MetricsService) {
    this.requests = new Counter({
      name: 'helpdesk_ai_requests_total',
      help: 'AI commands by operation, provider and outcome (ok, cached, or the error code)',
      labelNames: ['operation', 'provider', 'outcome'] as const,
      registers: [metrics.registry],
    });
    this.tokens = new Counter({
      name: 'helpdesk_ai_tokens_total',
      help: 'Tokens spent at the external provider, by model and kind (prompt or completion)',
      labelNames: ['provider', 'model', 'kind'] as const,
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'helpdesk_ai_request_duration_seconds',
      help: 'Time to answer an AI command, by operation and provider',
      labelNames: ['operation', 'provider'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40],
      registers: [metrics.registry],
    });
    this.budgetRefusals = new Counter({
      name: 'helpdesk_ai_budget_refusals_total',
      help: "Calls refused because the organization's daily AI budget (pool: agents or triage) had no room for them",
      labelNames: ['pool'] as const,
      registers: [metrics.registry],
    });
  }
}
