import { Module } from '@nestjs/common';
import { TicketCoreModule } from '../ticket-core.module.js';
import { NotificationContextController } from './notification-context.controller.js';
import { NotificationContextService } from './notification-context.service.js';

/** Commands the notification service asks of the ticket service when it plans mails. */
@Module({
  imports: [TicketCoreModule],
  controllers: [NotificationContextController],
  providers: [NotificationContextService],
})
export class NotificationsModule {}
