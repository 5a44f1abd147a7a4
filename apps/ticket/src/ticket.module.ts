import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule, HealthModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { TICKET_SCHEMA } from './database/schema.js';

@Module({
  imports: [
    DatabaseModule.forRoot({ schema: TICKET_SCHEMA, applicationName: 'helpdesk-ticket' }),
    RedisModule,
    HealthModule.forRoot({ readiness: [DatabaseHealthIndicator, NatsHealthIndicator, RedisHealthIndicator] }),
  ],
})
export class TicketModule {}
