import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateTriggerCommand, ListTriggersCommand, subjects, TriggerRefCommand, UpdateTriggerCommand } from '@helpdesk/contracts';
import { TriggersService } from './triggers.service.js';

@Controller()
export class TriggersController {
  constructor(@Inject(TriggersService) private readonly triggers: TriggersService) {}

  @MessagePattern(subjects.triggers.list)
  list(@Payload() command: ListTriggersCommand) {
    return this.triggers.list(command);
  }

  @MessagePattern(subjects.triggers.get)
  get(@Payload() command: TriggerRefCommand) {
    return this.triggers.get(command);
  }

  @MessagePattern(subjects.triggers.create)
  create(@Payload() command: CreateTriggerCommand) {
    return this.triggers.create(command);
  }

  @MessagePattern(subjects.triggers.update)
  update(@Payload() command: UpdateTriggerCommand) {
    return this.triggers.update(command);
  }

  @MessagePattern(subjects.triggers.delete)
  delete(@Payload() command: TriggerRefCommand) {
    return this.triggers.delete(command);
  }
}
