import type { MigrationInterface } from 'typeorm';
import { CreateNotificationSchema1764500000000 } from './1764500000000-create-notification-schema.js';
import { AccountAndAdminMails1764600000000 } from './1764600000000-account-and-admin-mails.js';
import { DeadLetterDetails1764700000000 } from './1764700000000-dead-letter-details.js';
import { MailboxesAndInboundMessages1765500000000 } from './1765500000000-mailboxes-and-inbound-messages.js';
import { InboundMessageKind1765600000000 } from './1765600000000-inbound-message-kind.js';
import { InboundNoiseOutcomes1766150000000 } from './1766150000000-inbound-noise-outcomes.js';
import { MailboxStatus1766200000000 } from './1766200000000-mailbox-status.js';
import { MailboxReaderLeases1766500000000 } from './1766500000000-mailbox-reader-leases.js';
import { Webhooks1766910000000 } from './1766910000000-webhooks.js';

/** Every migration of the notification service, oldest first. */
export const notificationMigrations: Array<new () => MigrationInterface> = [
  CreateNotificationSchema1764500000000,
  AccountAndAdminMails1764600000000,
  DeadLetterDetails1764700000000,
  MailboxesAndInboundMessages1765500000000,
  InboundMessageKind1765600000000,
  InboundNoiseOutcomes1766150000000,
  MailboxStatus1766200000000,
  MailboxReaderLeases1766500000000,
  Webhooks1766910000000,
];
