import { Module } from '@nestjs/common';
import { EventReplay } from './event-replay.service.js';

@Module({
  providers: [EventReplay],
  exports: [EventReplay],
})
export class ReplayModule {}
