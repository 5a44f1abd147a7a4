import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule, HealthModule, JetStreamModule, NatsHealthIndicator, RedisHealthIndicator, RedisModule } from '@helpdesk/common';
import { AdminAlertsController } from './admin-alerts/admin-alerts.controller.js';
import { AdminAlerts } from './admin-alerts/admin-alerts.service.js';
import { NOTIFICATION_SCHEMA } from './database/schema.js';
import { DeadLettersController } from './deliveries/dead-letters.controller.js';
import { DeadLetters } from './deliveries/dead-letters.service.js';
import { DeliveryLog } from './deliveries/delivery-log.js';
import { EventConsumer } from './events/event-consumer.js';
import { EventMails } from './events/event-mails.service.js';
import { AccountLinks } from './mail/account-links.js';
import { InboundController } from './inbound/inbound.controller.js';
import { InboundIntake } from './inbound/inbound-intake.js';
import { InboundSmtpService } from './inbound/inbound-smtp.service.js';
import { InboundMailRetention } from './inbound/inbound-mail-retention.js';
import { InboundMailStore } from './inbound/inbound-mail-store.js';
import { InboundAttachments } from './inbound/inbound-attachments.js';
import { InboundNoise } from './inbound/inbound-noise.js';
import { InboundPipeline } from './inbound/inbound-pipeline.js';
import { ReplyAddresses } from './inbound/reply-addresses.js';
import { MailboxReaders } from './mailboxes/mailbox-readers.service.js';
import { MailboxesController } from './mailboxes/mailboxes.controller.js';
import { Mailboxes } from './mailboxes/mailboxes.service.js';
import { MailQueue } from './mail/mail-queue.js';
import { MailTransport } from './mail/mail-transport.js';
import { OutgoingMailQuota } from './mail/outgoing-mail-quota.js';
import { RedisEvictionCheck } from './mail/redis-eviction.check.js';
import { WebhookDeliverer } from './webhooks/webhook-deliverer.js';
import { WebhookEvents } from './webhooks/webhook-events.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { Webhooks } from './webhooks/webhooks.service.js';

@Module({
  imports: [
    DatabaseModule.forRoot({ schema: NOTIFICATION_SCHEMA, applicationName: 'helpdesk-notification' }),
    RedisModule,
    JetStreamModule,
    HealthModule.forRoot({ readiness: [DatabaseHealthIndicator, NatsHealthIndicator, RedisHealthIndicator] }),
  ],
  controllers: [DeadLettersController, AdminAlertsController, MailboxesController, InboundController, WebhooksController],
  providers: [DeliveryLog, MailTransport, AccountLinks, OutgoingMailQuota, MailQueue, EventMails, EventConsumer, DeadLetters, AdminAlerts, RedisEvictionCheck, Mailboxes, ReplyAddresses, InboundMailStore, InboundNoise, InboundAttachments, InboundPipeline, InboundIntake, InboundSmtpService, MailboxReaders, InboundMailRetention, Webhooks, WebhookEvents, WebhookDeliverer],
})
export class NotificationModule {}
