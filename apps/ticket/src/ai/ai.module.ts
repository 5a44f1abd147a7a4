import { Module } from '@nestjs/common';
import { TicketCoreModule } from '../ticket-core.module.js';
import { AiTrainingController } from './ai-training.controller.js';
import { AiTrainingService } from './ai-training.service.js';
import { AiTriageQueue } from './ai-triage.queue.js';

/** The ticket service's side of AI: background triage of new tickets, and training examples for the ai-proxy. */
@Module({
  imports: [TicketCoreModule],
  controllers: [AiTrainingController],
  providers: [AiTriageQueue, AiTrainingService],
  exports: [AiTriageQueue],
})
export class TicketAiModule {}
