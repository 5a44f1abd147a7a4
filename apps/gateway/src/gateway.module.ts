import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { HealthModule, JetStreamModule, NatsHealthIndicator, REDIS_CLIENT, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import type { Redis } from 'ioredis';
import { AiController } from './ai/ai.controller.js';
import { ApiTokensController } from './api-tokens/api-tokens.controller.js';
import { AttachmentStore } from './attachments/attachment-store.js';
import { AttachmentsController } from './attachments/attachments.controller.js';
import { AttachmentsService } from './attachments/attachments.service.js';
import { UploadRateLimit } from './attachments/upload-rate-limit.js';
import { AccessTokensModule } from './auth/access-tokens.module.js';
import { AuthController } from './auth/auth.controller.js';
import { SatisfactionController } from './satisfaction/satisfaction.controller.js';
import { AuthLimits } from './auth/auth-limits.js';
import { AuthorizeGuard } from './auth/authorize.guard.js';
import { PasswordResetHandover } from './auth/password-reset-handover.js';
import { IdentifyCallerGuard } from './auth/identify-caller.guard.js';
import { ANONYMOUS_THROTTLER, AUTHENTICATED_THROTTLER, RateLimitGuard } from './auth/rate-limit.guard.js';
import { GatewayConfig } from './gateway.config.js';
import { DownstreamServicesHealthIndicator } from './health/downstream-services.health.js';
import { DirectoryController } from './directory/directory.controller.js';
import { InboundEmailController } from './inbound/inbound-email.controller.js';
import { InboundMailUploads } from './inbound/inbound-mail-uploads.js';
import { MacrosController } from './macros/macros.controller.js';
import { PublicNatsAuthorityModule } from './public-nats/public-nats-authority.module.js';
import { ViewsController } from './views/views.controller.js';
import { ReportsController } from './reports/reports.controller.js';
import { TriggersController } from './triggers/triggers.controller.js';
import { AutomationsController } from './automations/automations.controller.js';
import { MailboxesController } from './mailboxes/mailboxes.controller.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { DeadLettersController } from './notifications/dead-letters.controller.js';
import { TicketFieldsController } from './ticket-fields/ticket-fields.controller.js';
import { TicketsController } from './tickets/tickets.controller.js';
import { PublicNatsModule } from './public-nats/public-nats.module.js';

const HOUR_MS = 60 * 60 * 1_000;

@Module({
  imports: [
    RedisModule,
    // Attachment bytes go to a JetStream object store.
    JetStreamModule,
    // Integrations' NATS credentials and the public event fan-out (INTEGRATIONS_NATS_URL).
    PublicNatsAuthorityModule,
    AccessTokensModule,
    HealthModule.forRoot({ readiness: [NatsHealthIndicator, RedisHealthIndicator], details: [DownstreamServicesHealthIndicator] }),
    ThrottlerModule.forRootAsync({
      inject: [GatewayConfig, REDIS_CLIENT],
      useFactory: (config: GatewayConfig, redis: Redis) => ({
        throttlers: [
          { name: ANONYMOUS_THROTTLER, ttl: HOUR_MS, limit: config.RATE_LIMIT_ANON_PER_HOUR },
          { name: AUTHENTICATED_THROTTLER, ttl: HOUR_MS, limit: config.RATE_LIMIT_AUTH_PER_HOUR },
        ],
        // Counters live in Redis so the limits hold across gateway replicas.
        storage: new ThrottlerStorageRedisService(throttleConnection(redis, config)),
      }),
    }),
    PublicNatsModule,
  ],
  controllers: [AuthController, TicketsController, TicketFieldsController, DirectoryController, AttachmentsController, DeadLettersController, AiController, MailboxesController, InboundEmailController, MacrosController, ViewsController, TriggersController, AutomationsController, ApiTokensController, SatisfactionController, WebhooksController, ReportsController],
  providers: [
    AuthLimits,
    PasswordResetHandover,
    AttachmentStore,
    AttachmentsService,
    UploadRateLimit,
    InboundMailUploads,
    // Guards run in this order: who is calling, how often, and whether they may.
    { provide: APP_GUARD, useClass: IdentifyCallerGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AuthorizeGuard },
  ],
})
export class GatewayModule {}

/** The rate-limit counters' own connection. Its errors are the shared client's, which logs them already. */
function throttleConnection(redis: Redis, config: GatewayConfig): Redis {
  const connection = redis.duplicate({ keyPrefix: `${config.QUEUE_PREFIX}:throttle:` });
  connection.on('error', () => undefined);
  return connection;
}
