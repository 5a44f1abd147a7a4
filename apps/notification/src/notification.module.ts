import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule, HealthModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { NOTIFICATION_SCHEMA } from './database/schema.js';

@Module({
  imports: [
    DatabaseModule.forRoot({ schema: NOTIFICATION_SCHEMA, applicationName: 'helpdesk-notification' }),
    RedisModule,
    HealthModule.forRoot({ readiness: [DatabaseHealthIndicator, NatsHealthIndicator, RedisHealthIndicator] }),
  ],
})
export class NotificationModule {}
