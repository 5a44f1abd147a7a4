import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { NotificationContextCommand, NotificationOrganizationContextCommand, NotificationUserContextCommand, subjects } from '@helpdesk/contracts';
import { NotificationContextService } from './notification-context.service.js';

/**
 * Internal: answered for the notification service only (the gateway exposes no route to them; NATS
 * permissions in the chart restrict who may publish them, as for the other trusted commands).
 */
@Controller()
export class NotificationContextController {
  constructor(@Inject(NotificationContextService) private readonly context: NotificationContextService) {}

  @MessagePattern(subjects.notifications.ticketContext)
  ticketContext(@Payload() command: NotificationContextCommand) {
    return this.context.ticketContext(command);
  }

  @MessagePattern(subjects.notifications.organizationContext)
  organizationContext(@Payload() command: NotificationOrganizationContextCommand) {
    return this.context.organizationContext(command);
  }

  @MessagePattern(subjects.notifications.userContext)
  userContext(@Payload() command: NotificationUserContextCommand) {
    return this.context.userContext(command);
  }
}
