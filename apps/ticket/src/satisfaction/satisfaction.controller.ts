import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IssueSatisfactionLinkCommand, RateTicketCommand, SatisfactionTokenCommand, subjects } from '@helpdesk/contracts';
import { SatisfactionService } from './satisfaction.service.js';

@Controller()
export class SatisfactionController {
  constructor(@Inject(SatisfactionService) private readonly satisfaction: SatisfactionService) {}

  @MessagePattern(subjects.satisfaction.issueLink)
  issueLink(@Payload() command: IssueSatisfactionLinkCommand) {
    return this.satisfaction.issueLink(command);
  }

  @MessagePattern(subjects.satisfaction.get)
  get(@Payload() command: SatisfactionTokenCommand) {
    return this.satisfaction.get(command);
  }

  @MessagePattern(subjects.satisfaction.rate)
  rate(@Payload() command: RateTicketCommand) {
    return this.satisfaction.rate(command);
  }
}
