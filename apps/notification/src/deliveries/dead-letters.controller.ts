import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReplayDeadLettersCommand, subjects } from '@helpdesk/contracts';
import { DeadLetters } from './dead-letters.service.js';

/** Sent by the gateway's admin endpoint, with the admin's principal. */
@Controller()
export class DeadLettersController {
  constructor(@Inject(DeadLetters) private readonly deadLetters: DeadLetters) {}

  @MessagePattern(subjects.notifications.replayDeadLetters)
  replay(@Payload() command: ReplayDeadLettersCommand) {
    return this.deadLetters.replay(command.principal, command.deliveryIds);
  }
}
