import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateSlaPolicyCommand, ListSlaPoliciesCommand, SlaPolicyRefCommand, subjects, UpdateSlaPolicyCommand } from '@helpdesk/contracts';
import { SlaPoliciesService } from './sla-policies.service.js';

@Controller()
export class SlaPoliciesController {
  constructor(@Inject(SlaPoliciesService) private readonly policies: SlaPoliciesService) {}

  @MessagePattern(subjects.slaPolicies.list)
  list(@Payload() command: ListSlaPoliciesCommand) {
    return this.policies.list(command);
  }

  @MessagePattern(subjects.slaPolicies.create)
  create(@Payload() command: CreateSlaPolicyCommand) {
    return this.policies.create(command);
  }

  @MessagePattern(subjects.slaPolicies.update)
  update(@Payload() command: UpdateSlaPolicyCommand) {
    return this.policies.update(command);
  }

  @MessagePattern(subjects.slaPolicies.delete)
  delete(@Payload() command: SlaPolicyRefCommand) {
    return this.policies.delete(command);
  }
}
