import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeadLetterRefCommand, ListDeadLettersCommand, ReplayDeadLettersCommand, subjects } from '@helpdesk/contracts';
import { DeadLetters } from './dead-letters.service.js';

/** Sent by the gateway's admin endpoints, with the admin's principal. */
@Controller()
export class DeadLettersController {
  constructor(@Inject(DeadLetters) private readonly deadLetters: DeadLetters) {}

  @MessagePattern(subjects.notifications.listDeadLetters)
  list(@Payload() command: ListDeadLettersCommand) {
    return this.deadLetters.list(command);
  }

  @MessagePattern(subjects.notifications.getDeadLetter)
  get(@Payload() command: DeadLetterRefCommand) {
    return this.deadLetters.get(command.principal, command.deliveryId);
  }

  @MessagePattern(subjects.notifications.replayDeadLetters)
  replay(@Payload() command: ReplayDeadLettersCommand) {
    return this.deadLetters.replay(command.principal, command.deliveryIds);
  }
}
