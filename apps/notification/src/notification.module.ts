import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule, HealthModule, JetStreamModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { NOTIFICATION_SCHEMA } from './database/schema.js';
import { DeadLettersController } from './deliveries/dead-letters.controller.js';
import { DeadLetters } from './deliveries/dead-letters.service.js';
import { DeliveryLog } from './deliveries/delivery-log.js';
import { EventConsumer } from './events/event-consumer.js';
import { EventMails } from './events/event-mails.service.js';
import { MailQueue } from './mail/mail-queue.js';
import { MailTransport } from './mail/mail-transport.js';
import { RedisEvictionCheck } from './mail/redis-eviction.check.js';

@Module({
  imports: [
    DatabaseModule.forRoot({ schema: NOTIFICATION_SCHEMA, applicationName: 'helpdesk-notification' }),
    RedisModule,
    JetStreamModule,
    HealthModule.forRoot({ readiness: [DatabaseHealthIndicator, NatsHealthIndicator, RedisHealthIndicator] }),
  ],
  controllers: [DeadLettersController],
  providers: [DeliveryLog, MailTransport, MailQueue, EventMails, EventConsumer, DeadLetters, RedisEvictionCheck],
})
export class NotificationModule {}
