import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandClient, MetricsService } from '@helpdesk/common';
import {
  subjects,
  type EventEnvelope,
  type NotificationContextReply,
  type NotificationOrganization,
  type NotificationOrganizationContextReply,
  type NotificationUserContextReply,
} from '@helpdesk/contracts';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { DeliveryLog } from '../deliveries/delivery-log.js';
import { MailQueue } from '../mail/mail-queue.js';
import { deliveryKey, mailDomain, messageIdFor, ticketThreadId } from '../mail/threading.js';
import { NotificationConfig } from '../notification.config.js';
import { ReplyAddresses } from '../inbound/reply-addresses.js';
import { mailContextRequest, planAccountMails, planOrganizationMails, planTicketMails, reachesOutsider, splitByVerification, type PlannedMail } from './mail-planner.js';

/**
 * Turns one event into queued mails: asks the ticket service, in one command, for what the mails
 * need, records each mail in the delivery log (once per event, recipient and template) and queues
 * it. Resolves only when every mail is both recorded and queued, which is when the event may be
 * acknowledged.
 */
@Injectable()
export class EventMails {
  private readonly logger = new Logger(EventMails.name);
  private readonly domain: string;
  private readonly suppressed: Counter<'reason'>;

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(DeliveryLog) private readonly log: DeliveryLog,
    @Inject(MailQueue) private readonly queue: MailQueue,
    @Inject(MetricsService) metrics: MetricsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ReplyAddresses) private readonly replyAddresses: ReplyAddresses,
  ) {
    this.domain = mailDomain(config.DEFAULT_FROM_EMAIL);
    this.suppressed = new Counter({ name: 'helpdesk_mail_suppressed_total', help: 'Mails planned but never sent, by reason', labelNames: ['reason'], registers: [metrics.registry] });
  }

  /** Returns how many mails the event queued (0 for events that send none). */
  async handle(event: EventEnvelope): Promise<number> {
    // The mails of one event are recorded, then queued, together (each step one round trip for all of them).
    const deliveries = await Promise.all(
      (await this.allowed(event)).map(async (mail) => {
        const to = mail.to.email;
        // Answering it threads onto the ticket, and lets this recipient (only) act through the token (DESIGN section 13).
        const replyTo = mail.ticketNumber === undefined ? null : await this.replyAddresses.forRecipient(event.orgId, { ticketNumber: mail.ticketNumber, recipientUserId: mail.to.id });
        return this.log.record({
          eventId: event.id,
          eventType: event.type,
          orgId: event.orgId,
          ticketId: mail.ticketId,
          template: mail.template,
          message: {
            to,
            ...mail.rendered,
            messageId: messageIdFor(deliveryKey(event.id, to, mail.template), this.domain),
            ...(mail.ticketId ? { threadId: ticketThreadId(mail.ticketId, this.domain) } : {}),
            ...(replyTo ? { replyTo } : {}),
            ...(mail.accountLink ? { accountLink: mail.accountLink } : {}),
            ...(reachesOutsider(mail) ? { quotaOrgId: event.orgId } : {}),
          },
        });
      }),
    );
    // A redelivered event finds its mails recorded: queued again only if not yet sent (the job id makes that a no-op when the job still exists).
    const toQueue = deliveries.filter((delivery) => delivery.status === 'queued');
    await Promise.all(toQueue.map((delivery) => this.queue.enqueue(delivery)));
    return toQueue.length;
  }

  /** The planned mails, without those an unverified organization may not send (each logged and counted, never the address). */
  private async allowed(event: EventEnvelope): Promise<PlannedMail[]> {
    const planned = await this.plan(event);
    if (!planned) return [];
    const { allowed, unverified } = splitByVerification(planned.organization, this.withoutBouncingAddresses(event, await this.withoutAnswersToMachines(event, planned.mails)));
    for (const mail of unverified) {
      this.suppressed.inc({ reason: 'unverified_organization' });
      this.logger.warn({
        message: `${mail.template} mail not sent: the organization has not verified its email address, so it may mail only its staff`,
        reason: 'unverified_organization',
        orgId: event.orgId,
        template: mail.template,
        eventId: event.id,
      });
    }
    return allowed;
  }

  /**
   * A ticket opened by an auto-reply, a list, a bulk sender, a bounce or a mail system is not
   * acknowledged to its requester (DESIGN section 13, loops and noise): the acknowledgement would
   * reach a machine, which may answer it again. Staff still hear of the ticket.
   */
  private async withoutAnswersToMachines(event: EventEnvelope, mails: PlannedMail[]): Promise<PlannedMail[]> {
    const ticket = (event.data as { ticket?: { id?: string; channel?: string } }).ticket;
    if (event.type !== 'ticket.created' || ticket?.channel !== 'email') return mails;
    // An inbound message's id is the id of the ticket it opened (the pipeline's change id).
    const [message] = (await this.dataSource.query(`SELECT kind FROM ${NOTIFICATION_SCHEMA}.inbound_messages WHERE id = $1`, [ticket.id])) as Array<{ kind: string }>;
    if (!message || message.kind === 'personal') return mails;
    return mails.filter((mail) => {
      if (mail.template !== 'ticket-created') return true;
      this.suppressed.inc({ reason: 'automated_sender' });
      this.logger.log({ message: `ticket-created mail not sent: the ticket was opened by ${message.kind} mail`, reason: 'automated_sender', orgId: event.orgId, ticketId: ticket.id, eventId: event.id });
      return false;
    });
  }

  /** No mail to an address that bounced until staff clear it or its owner writes in again (DESIGN section 13). */
  private withoutBouncingAddresses(event: EventEnvelope, mails: PlannedMail[]): PlannedMail[] {
    return mails.filter((mail) => {
      if (!mail.to.bouncing) return true;
      this.suppressed.inc({ reason: 'bouncing_address' });
      this.logger.log({ message: `${mail.template} mail not sent: the recipient's address bounces`, reason: 'bouncing_address', orgId: event.orgId, userId: mail.to.id, eventId: event.id });
      return false;
    });
  }

  private async plan(event: EventEnvelope): Promise<{ organization: NotificationOrganization; mails: PlannedMail[] } | undefined> {
    const request = mailContextRequest(event);
    if (!request) return undefined;
    if (request.kind === 'user') {
      const context = await this.commands.request<NotificationUserContextReply>(subjects.notifications.userContext, request.command);
      return { organization: context.organization, mails: planAccountMails(event, context) };
    }
    if (request.kind === 'organization') {
      const context = await this.commands.request<NotificationOrganizationContextReply>(subjects.notifications.organizationContext, request.command);
      return { organization: context.organization, mails: planOrganizationMails(event, context, { appBaseUrl: this.config.APP_BASE_URL }) };
    }
    const context = await this.commands.request<NotificationContextReply>(subjects.notifications.ticketContext, request.command);
    return { organization: context.organization, mails: planTicketMails(event, context, { appBaseUrl: this.config.APP_BASE_URL }) };
  }
}
