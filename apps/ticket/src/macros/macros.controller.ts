import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ApplyMacroCommand,
  CannedResponseRefCommand,
  CreateCannedResponseCommand,
  CreateMacroCommand,
  ListCannedResponsesCommand,
  ListMacrosCommand,
  MacroRefCommand,
  RenderCannedResponseCommand,
  subjects,
  UpdateCannedResponseCommand,
  UpdateMacroCommand,
} from '@helpdesk/contracts';
import { CannedResponsesService } from './canned-responses.service.js';
import { MacrosService } from './macros.service.js';

@Controller()
export class MacrosController {
  constructor(
    @Inject(MacrosService) private readonly macros: MacrosService,
    @Inject(CannedResponsesService) private readonly cannedResponses: CannedResponsesService,
  ) {}

  @MessagePattern(subjects.macros.list)
  list(@Payload() command: ListMacrosCommand) {
    return this.macros.list(command);
  }

  @MessagePattern(subjects.macros.get)
  get(@Payload() command: MacroRefCommand) {
    return this.macros.get(command);
  }

  @MessagePattern(subjects.macros.create)
  create(@Payload() command: CreateMacroCommand) {
    return this.macros.create(command);
  }

  @MessagePattern(subjects.macros.update)
  update(@Payload() command: UpdateMacroCommand) {
    return this.macros.update(command);
  }

  @MessagePattern(subjects.macros.delete)
  delete(@Payload() command: MacroRefCommand) {
    return this.macros.delete(command);
  }

  @MessagePattern(subjects.macros.apply)
  apply(@Payload() command: ApplyMacroCommand) {
    return this.macros.apply(command);
  }

  @MessagePattern(subjects.cannedResponses.list)
  listCannedResponses(@Payload() command: ListCannedResponsesCommand) {
    return this.cannedResponses.list(command);
  }

  @MessagePattern(subjects.cannedResponses.get)
  getCannedResponse(@Payload() command: CannedResponseRefCommand) {
    return this.cannedResponses.get(command);
  }

  @MessagePattern(subjects.cannedResponses.create)
  createCannedResponse(@Payload() command: CreateCannedResponseCommand) {
    return this.cannedResponses.create(command);
  }

  @MessagePattern(subjects.cannedResponses.update)
  updateCannedResponse(@Payload() command: UpdateCannedResponseCommand) {
    return this.cannedResponses.update(command);
  }

  @MessagePattern(subjects.cannedResponses.delete)
  deleteCannedResponse(@Payload() command: CannedResponseRefCommand) {
    return this.cannedResponses.delete(command);
  }

  @MessagePattern(subjects.cannedResponses.render)
  renderCannedResponse(@Payload() command: RenderCannedResponseCommand) {
    return this.cannedResponses.render(command);
  }
}
