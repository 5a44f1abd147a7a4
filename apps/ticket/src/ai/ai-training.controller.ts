import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AiTrainingExamplesCommand, subjects } from '@helpdesk/contracts';
import { AiTrainingService } from './ai-training.service.js';

/** Internal: answered for the ai-proxy only (NATS permissions restrict who may publish it). */
@Controller()
export class AiTrainingController {
  constructor(@Inject(AiTrainingService) private readonly training: AiTrainingService) {}

  @MessagePattern(subjects.ai.trainingExamples)
  examples(@Payload() command: AiTrainingExamplesCommand) {
    return this.training.examples(command);
  }
}
