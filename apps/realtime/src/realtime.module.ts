import { Module } from '@nestjs/common';
import { HealthModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';

@Module({
  imports: [RedisModule, HealthModule.forRoot({ readiness: [NatsHealthIndicator, RedisHealthIndicator] })],
})
export class RealtimeModule {}
