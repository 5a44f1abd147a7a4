import { Global, Module } from '@nestjs/common';
import { SocketsModule } from '../sockets/sockets.module.js';
import { EventFanout } from './event-fanout.service.js';

/** Global so that the readiness check, declared in the health module, can see the consumer. */
@Global()
@Module({
  imports: [SocketsModule],
  providers: [EventFanout],
  exports: [EventFanout],
})
export class EventsModule {}
