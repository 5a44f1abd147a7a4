import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EmailAddCommentCommand, EmailCreateTicketCommand, EmailMarkBouncingCommand, subjects } from '@helpdesk/contracts';
import { BouncingAddresses } from '../users/bouncing-addresses.js';
import { EmailChannelService } from './email-channel.service.js';

/**
 * Internal: answered for the notification service only (the gateway exposes no route to them, and
 * the NATS permissions give no other service the right to publish them).
 */
@Controller()
export class EmailChannelController {
  constructor(
    @Inject(EmailChannelService) private readonly emailChannel: EmailChannelService,
    @Inject(BouncingAddresses) private readonly bouncing: BouncingAddresses,
  ) {}

  @MessagePattern(subjects.emailChannel.createTicket)
  createTicket(@Payload() command: EmailCreateTicketCommand) {
    return this.emailChannel.createTicket(command);
  }

  @MessagePattern(subjects.emailChannel.addComment)
  addComment(@Payload() command: EmailAddCommentCommand) {
    return this.emailChannel.addComment(command);
  }

  @MessagePattern(subjects.emailChannel.markBouncing)
  markBouncing(@Payload() command: EmailMarkBouncingCommand) {
    return this.bouncing.markBouncing(command);
  }
}
