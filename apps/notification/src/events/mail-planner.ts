import { isStaff, type EventEnvelope, type NotificationContextCommand, type NotificationContextReply, type NotificationPreference, type NotificationRecipient, type Role } from '@helpdesk/contracts';
import { agentReplyMail, ticketCreatedMail, type RenderedMail } from '../mail/mail-templates.js';

export const MAIL_TEMPLATES = ['ticket-created', 'agent-reply'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** The preference that turns each mail off. */
const PREFERENCE_OF: Record<MailTemplate, NotificationPreference> = {
  'ticket-created': 'ticketCreated',
  'agent-reply': 'agentReply',
};

/** The parts of the event payloads (docs/events.md) that mails read. */
interface TicketCreatedData {
  ticket: { id: string };
}
interface CommentCreatedData {
  comment: { id: string; body: string; internal: boolean; authorId: string };
  ticket: { id: string };
  authorRole: Role;
}

export interface PlannedMail {
  template: MailTemplate;
  ticketId: string;
  to: NotificationRecipient;
  rendered: RenderedMail;
}

/**
 * Which ticket (and comment author) an event's mails need to know about, or undefined when the
 * event sends no mail: decided from the event alone, so internal notes never even fetch a recipient.
 */
export function mailContextRequest(event: EventEnvelope): NotificationContextCommand | undefined {
  switch (event.type) {
    case 'ticket.created':
      return { orgId: event.orgId, ticketId: (event.data as unknown as TicketCreatedData).ticket.id };
    case 'comment.created': {
      const data = event.data as unknown as CommentCreatedData;
      if (data.comment.internal || !isStaff(data.authorRole)) return undefined;
      return { orgId: event.orgId, ticketId: data.ticket.id, authorId: data.comment.authorId };
    }
    default:
      return undefined;
  }
}

function wants(recipient: NotificationRecipient, template: MailTemplate): boolean {
  return recipient.active && recipient.notificationPreferences[PREFERENCE_OF[template]] !== false;
}

/** The mails an event sends, given what the ticket service answered about its ticket. */
export function planMails(event: EventEnvelope, context: NotificationContextReply, settings: { appBaseUrl: string }): PlannedMail[] {
  const { organization, ticket, requester } = context;
  const base = {
    organizationName: organization.name,
    recipientName: requester.name,
    ticket,
    ticketUrl: `${settings.appBaseUrl.replace(/\/+$/, '')}/tickets/${ticket.id}`,
  };
  const planned: PlannedMail[] = [];
  switch (event.type) {
    case 'ticket.created':
      planned.push({ template: 'ticket-created', ticketId: ticket.id, to: requester, rendered: ticketCreatedMail(base) });
      break;
    case 'comment.created': {
      const { comment } = event.data as unknown as CommentCreatedData;
      // Internal notes never reach the requester; someone answering their own ticket needs no mail about it.
      if (comment.internal || comment.authorId === requester.id) break;
      const authorName = context.author?.name ?? 'Our support team';
      planned.push({ template: 'agent-reply', ticketId: ticket.id, to: requester, rendered: agentReplyMail({ ...base, authorName, replyHtml: comment.body }) });
      break;
    }
    default:
      break;
  }
  return planned.filter((mail) => wants(mail.to, mail.template));
}
