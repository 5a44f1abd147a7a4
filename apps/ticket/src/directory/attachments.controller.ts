import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AddAttachmentCommand, AttachmentRefCommand, PageCommand, subjects, TicketRefCommand } from '@helpdesk/contracts';
import { AttachmentsService } from './attachments.service.js';

@Controller()
export class AttachmentsController {
  constructor(@Inject(AttachmentsService) private readonly attachments: AttachmentsService) {}

  @MessagePattern(subjects.attachments.add)
  add(@Payload() command: AddAttachmentCommand) {
    return this.attachments.add(command);
  }

  @MessagePattern(subjects.attachments.list)
  list(@Payload() command: PageCommand) {
    return this.attachments.list(command);
  }

  @MessagePattern(subjects.attachments.allowance)
  allowance(@Payload() command: TicketRefCommand) {
    return this.attachments.allowance(command);
  }

  @MessagePattern(subjects.attachments.get)
  get(@Payload() command: AttachmentRefCommand) {
    return this.attachments.get(command);
  }
}
