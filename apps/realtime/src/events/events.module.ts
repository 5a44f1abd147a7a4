import { Module } from '@nestjs/common';
import { SocketsModule } from '../sockets/sockets.module.js';
import { EventFanout } from './event-fanout.service.js';

@Module({
  imports: [SocketsModule],
  providers: [EventFanout],
  exports: [EventFanout],
})
export class EventsModule {}
