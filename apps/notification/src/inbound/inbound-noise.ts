import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandClient, MetricsService, preparedQueryIn } from '@helpdesk/common';
import { MAILBOX_LIMITS, subjects, type EmailMarkBouncingReply } from '@helpdesk/contracts';
import type { ParsedMail } from 'mailparser';
import { Counter } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { NotificationConfig } from '../notification.config.js';

const MESSAGES = `${NOTIFICATION_SCHEMA}.inbound_messages`;
const DELIVERIES = `${NOTIFICATION_SCHEMA}.deliveries`;

/**
 * The Message-ID of the mail a delivery-status report returns: the report carries the original's
 * headers (`text/rfc822-headers`, RFC 6522) or the whole original (`message/rfc822`).
 */
export function returnedMessageIdOf(parsed: ParsedMail): string | undefined {
  const returned = parsed.attachments.find((attachment) => attachment.contentType === 'text/rfc822-headers' || attachment.contentType === 'message/rfc822');
  if (!returned) return undefined;
  const text = returned.content.toString('utf8');
  const headers = text.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(<[^<>\s]+>)/im.exec(headers)?.[1];
}

/** The key of the per-(organization, sender) advisory lock that mayOpenTicket's caller holds. */
export function senderLockKey(orgId: string, sender: string): string {
  return `inbound-sender:${orgId}:${sender.trim().toLowerCase()}`;
}

/**
 * The inbound side of loops and noise (DESIGN section 13) that changes no ticket: a delivery-status
 * report marks its failed recipients as bouncing, and a sender who opens too many tickets in an hour
 * opens no more. Replies to machines are suppressed elsewhere (EventMails).
 */
@Injectable()
export class InboundNoise {
  private readonly logger = new Logger(InboundNoise.name);
  private readonly rateLimited: Counter<never>;
  private readonly bounced: Counter<never>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.rateLimited = new Counter({
      name: 'helpdesk_inbound_rate_limited_total',
      help: 'Inbound mails not turned into a ticket: their sender reached INBOUND_MAX_TICKETS_PER_SENDER_PER_HOUR',
      registers: [metrics.registry],
    });
    this.bounced = new Counter({ name: 'helpdesk_inbound_bounced_addresses_total', help: 'Addresses newly marked bouncing by delivery-status reports', registers: [metrics.registry] });
  }

  /**
   * Marks the report's failed recipients as bouncing in the mailbox's organization (the ticket
   * service owns the users), but only those the returned mail was sent to by this organization:
   * anyone can write a delivery-status report, and a forged one must not cut a customer off.
   */
  async recordBounce(orgId: string, parsed: ParsedMail, failedRecipients: string[]): Promise<void> {
    const returnedMessageId = returnedMessageIdOf(parsed);
    if (failedRecipients.length === 0 || !returnedMessageId) {
      this.logger.log({ message: 'Delivery-status report not about a mail of ours that failed: no address marked', orgId, failedRecipients: failedRecipients.length });
      return;
    }
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT lower(recipient) AS email FROM ${DELIVERIES} WHERE message_id = $1 AND organization_id = $2 AND lower(recipient) = ANY($3::text[])`,
      [returnedMessageId, orgId, failedRecipients.slice(0, MAILBOX_LIMITS.bouncedRecipients).map((email) => email.toLowerCase())],
    )) as Array<{ email: string }>;
    const emails = rows.map((row) => row.email);
    if (emails.length === 0) {
      this.logger.log({ message: 'Delivery-status report about a mail this organization did not send to those recipients: no address marked', orgId });
      return;
    }
    const { userIds } = await this.commands.request<EmailMarkBouncingReply>(subjects.emailChannel.markBouncing, { orgId, emails });
    this.bounced.inc(userIds.length);
    this.logger.log({ message: `Delivery-status report: ${userIds.length} user(s) marked bouncing`, orgId, failedRecipients: emails.length });
  }

  /**
   * Whether the sender may open another ticket in the organization: fewer than the cap opened within
   * the last hour. Counted in PostgreSQL, so every replica sees the same count. `manager` must be the
   * record's transaction, holding the transaction-scoped advisory lock of senderLockKey (taken with
   * the record's row), so concurrent mails of one sender wait for each other's outcome and the cap
   * holds under a burst too; this statement starts after the lock, so it sees their outcomes.
   */
  async mayOpenTicket(manager: EntityManager, orgId: string, sender: string): Promise<boolean> {
    const address = sender.trim().toLowerCase();
    const [row] = await preparedQueryIn<{ opened: number }>(
      manager,
      'inbound-sender-opened',
      `SELECT count(*)::int AS opened FROM ${MESSAGES}
        WHERE organization_id = $1 AND lower(sender) = $2 AND outcome = 'ticket_created' AND processed_at > now() - interval '1 hour'`,
      [orgId, address],
    );
    if (row!.opened < this.config.INBOUND_MAX_TICKETS_PER_SENDER_PER_HOUR) return true;
    this.rateLimited.inc();
    // The organization, not the address: logs keep no personal data they do not need.
    this.logger.warn({ message: 'Inbound mail not turned into a ticket: its sender reached the hourly cap', reason: 'rate_limited', orgId });
    return false;
  }
}
