import { Module } from '@nestjs/common';
import { HealthModule, NatsHealthIndicator } from '@helpdesk/common';

/** Readiness depends on NATS only: an external model provider being down must not take the service out. */
@Module({
  imports: [HealthModule.forRoot({ readiness: [NatsHealthIndicator] })],
})
export class AiProxyModule {}
