import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AutomationRefCommand, CreateAutomationCommand, ListAutomationsCommand, PreviewAutomationCommand, subjects, UpdateAutomationCommand } from '@helpdesk/contracts';
import { AutomationsService } from './automations.service.js';

@Controller()
export class AutomationsController {
  constructor(@Inject(AutomationsService) private readonly automations: AutomationsService) {}

  @MessagePattern(subjects.automations.list)
  list(@Payload() command: ListAutomationsCommand) {
    return this.automations.list(command);
  }

  @MessagePattern(subjects.automations.get)
  get(@Payload() command: AutomationRefCommand) {
    return this.automations.get(command);
  }

  @MessagePattern(subjects.automations.create)
  create(@Payload() command: CreateAutomationCommand) {
    return this.automations.create(command);
  }

  @MessagePattern(subjects.automations.update)
  update(@Payload() command: UpdateAutomationCommand) {
    return this.automations.update(command);
  }

  @MessagePattern(subjects.automations.delete)
  delete(@Payload() command: AutomationRefCommand) {
    return this.automations.delete(command);
  }

  @MessagePattern(subjects.automations.preview)
  preview(@Payload() command: PreviewAutomationCommand) {
    return this.automations.preview(command);
  }
}
