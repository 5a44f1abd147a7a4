import { Module } from '@nestjs/common';
import { HealthModule, JetStreamModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { EventsModule } from './events/events.module.js';
import { SocketsModule } from './sockets/sockets.module.js';

@Module({
  imports: [RedisModule, JetStreamModule, SocketsModule, EventsModule, HealthModule.forRoot({ readiness: [NatsHealthIndicator, RedisHealthIndicator] })],
})
export class RealtimeModule {}
