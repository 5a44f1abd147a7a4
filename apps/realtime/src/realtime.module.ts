import { Module } from '@nestjs/common';
import { HealthModule, JetStreamModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { EventConsumerHealthIndicator } from './events/event-consumer.health.js';
import { EventsModule } from './events/events.module.js';
import { SocketsModule } from './sockets/sockets.module.js';

@Module({
  imports: [
    RedisModule,
    JetStreamModule,
    SocketsModule,
    EventsModule,
    HealthModule.forRoot({ readiness: [NatsHealthIndicator, RedisHealthIndicator, EventConsumerHealthIndicator] }),
  ],
})
export class RealtimeModule {}
