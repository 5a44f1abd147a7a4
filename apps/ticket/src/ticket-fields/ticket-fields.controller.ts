import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateTicketFieldCommand, ListTicketFieldsCommand, subjects, TicketFieldRefCommand, UpdateTicketFieldCommand } from '@helpdesk/contracts';
import { TicketFieldsService } from './ticket-fields.service.js';

@Controller()
export class TicketFieldsController {
  constructor(@Inject(TicketFieldsService) private readonly fields: TicketFieldsService) {}

  @MessagePattern(subjects.ticketFields.list)
  list(@Payload() command: ListTicketFieldsCommand) {
    return this.fields.list(command);
  }

  @MessagePattern(subjects.ticketFields.get)
  get(@Payload() command: TicketFieldRefCommand) {
    return this.fields.get(command);
  }

  @MessagePattern(subjects.ticketFields.create)
  create(@Payload() command: CreateTicketFieldCommand) {
    return this.fields.create(command);
  }

  @MessagePattern(subjects.ticketFields.update)
  update(@Payload() command: UpdateTicketFieldCommand) {
    return this.fields.update(command);
  }

  @MessagePattern(subjects.ticketFields.archive)
  archive(@Payload() command: TicketFieldRefCommand) {
    return this.fields.archive(command);
  }
}
