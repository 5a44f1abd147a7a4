import { Module } from '@nestjs/common';
import { HealthModule, NatsHealthIndicator, RedisModule } from '@helpdesk/common';
import { AiProxyConfig } from './ai-proxy.config.js';
import { AiController } from './ai/ai.controller.js';
import { AiService } from './ai/ai.service.js';
import { TicketConversations } from './ai/ticket-conversations.js';
import { OfflineProvider } from './offline/offline.provider.js';
import { AI_PROVIDER } from './providers/ai-provider.js';
import { OpenAiCompatibleProvider } from './providers/openai-compatible.provider.js';
import { AiMetrics } from './usage/ai-metrics.js';
import { ResponseCache } from './usage/response-cache.js';
import { TokenBudget } from './usage/token-budget.js';

/**
 * Readiness depends on NATS only: an external model provider (or Redis, which only holds its cache
 * and budgets) being down must not take the service out; those calls fail with a clear error instead.
 */
@Module({
  imports: [RedisModule, HealthModule.forRoot({ readiness: [NatsHealthIndicator] })],
  controllers: [AiController],
  providers: [
    AiService,
    TicketConversations,
    AiMetrics,
    TokenBudget,
    ResponseCache,
    OfflineProvider,
    OpenAiCompatibleProvider,
    {
      provide: AI_PROVIDER,
      inject: [AiProxyConfig, OfflineProvider, OpenAiCompatibleProvider],
      useFactory: (config: AiProxyConfig, offline: OfflineProvider, external: OpenAiCompatibleProvider) => (config.AI_PROVIDER_URL ? external : offline),
    },
  ],
})
export class AiProxyModule {}
