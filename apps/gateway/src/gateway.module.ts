import { Module } from '@nestjs/common';
import { HealthModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { DownstreamServicesHealthIndicator } from './health/downstream-services.health.js';

@Module({
  imports: [
    RedisModule,
    HealthModule.forRoot({ readiness: [NatsHealthIndicator, RedisHealthIndicator], details: [DownstreamServicesHealthIndicator] }),
  ],
})
export class GatewayModule {}
