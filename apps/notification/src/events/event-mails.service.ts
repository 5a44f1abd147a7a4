import { Inject, Injectable } from '@nestjs/common';
import { CommandClient } from '@helpdesk/common';
import { subjects, type EventEnvelope, type NotificationContextReply, type NotificationUserContextReply } from '@helpdesk/contracts';
import { DeliveryLog } from '../deliveries/delivery-log.js';
import { MailQueue } from '../mail/mail-queue.js';
import { deliveryKey, mailDomain, messageIdFor, ticketThreadId } from '../mail/threading.js';
import { NotificationConfig } from '../notification.config.js';
import { mailContextRequest, planAccountMails, planTicketMails, type PlannedMail } from './mail-planner.js';

/**
 * Turns one event into queued mails: asks the ticket service, in one command, for what the mails
 * need, records each mail in the delivery log (once per event, recipient and template) and queues
 * it. Resolves only when every mail is both recorded and queued, which is when the event may be
 * acknowledged.
 */
@Injectable()
export class EventMails {
  private readonly domain: string;

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(DeliveryLog) private readonly log: DeliveryLog,
    @Inject(MailQueue) private readonly queue: MailQueue,
  ) {
    this.domain = mailDomain(config.DEFAULT_FROM_EMAIL);
  }

  /** Returns how many mails the event queued (0 for events that send none). */
  async handle(event: EventEnvelope): Promise<number> {
    // The mails of one event are recorded, then queued, together (each step one round trip for all of them).
    const deliveries = await Promise.all(
      (await this.plan(event)).map((mail) => {
        const to = mail.to.email;
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
            ...(mail.accountLink ? { accountLink: mail.accountLink } : {}),
          },
        });
      }),
    );
    // A redelivered event finds its mails recorded: queued again only if not yet sent (the job id makes that a no-op when the job still exists).
    const toQueue = deliveries.filter((delivery) => delivery.status === 'queued');
    await Promise.all(toQueue.map((delivery) => this.queue.enqueue(delivery)));
    return toQueue.length;
  }

  private async plan(event: EventEnvelope): Promise<PlannedMail[]> {
    const request = mailContextRequest(event);
    if (!request) return [];
    if (request.kind === 'user') {
      return planAccountMails(event, await this.commands.request<NotificationUserContextReply>(subjects.notifications.userContext, request.command));
    }
    const context = await this.commands.request<NotificationContextReply>(subjects.notifications.ticketContext, request.command);
    return planTicketMails(event, context, { appBaseUrl: this.config.APP_BASE_URL });
  }
}
