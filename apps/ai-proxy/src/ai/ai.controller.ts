import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AiTicketCommand, subjects, TriageCommand } from '@helpdesk/contracts';
import { AiService } from './ai.service.js';

@Controller()
export class AiController {
  constructor(@Inject(AiService) private readonly ai: AiService) {}

  /** Internal: the ticket service's triage job (NATS permissions restrict who may publish it). */
  @MessagePattern(subjects.ai.triage)
  triage(@Payload() command: TriageCommand) {
    return this.ai.triage(command);
  }

  @MessagePattern(subjects.ai.summarize)
  summarize(@Payload() command: AiTicketCommand) {
    return this.ai.summarize(command);
  }

  @MessagePattern(subjects.ai.suggestReply)
  suggestReply(@Payload() command: AiTicketCommand) {
    return this.ai.suggestReply(command);
  }
}
