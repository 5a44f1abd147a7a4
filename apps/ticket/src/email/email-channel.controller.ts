import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EmailAddCommentCommand, EmailCreateTicketCommand, subjects } from '@helpdesk/contracts';
import { EmailChannelService } from './email-channel.service.js';

/**
 * Internal: answered for the notification service only (the gateway exposes no route to them, and
 * the NATS permissions give no other service the right to publish them).
 */
@Controller()
export class EmailChannelController {
  constructor(@Inject(EmailChannelService) private readonly emailChannel: EmailChannelService) {}

  @MessagePattern(subjects.emailChannel.createTicket)
  createTicket(@Payload() command: EmailCreateTicketCommand) {
    return this.emailChannel.createTicket(command);
  }

  @MessagePattern(subjects.emailChannel.addComment)
  addComment(@Payload() command: EmailAddCommentCommand) {
    return this.emailChannel.addComment(command);
  }
}
