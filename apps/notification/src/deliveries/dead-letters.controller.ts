import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReplayDeadLettersCommand, subjects } from '@helpdesk/contracts';
import { DeadLetters } from './dead-letters.service.js';

/** Internal operator command (no principal): the gateway exposes no route to it. */
@Controller()
export class DeadLettersController {
  constructor(@Inject(DeadLetters) private readonly deadLetters: DeadLetters) {}

  @MessagePattern(subjects.notifications.replayDeadLetters)
  replay(@Payload() command: ReplayDeadLettersCommand) {
    return this.deadLetters.replay(command.deliveryIds);
  }
}
