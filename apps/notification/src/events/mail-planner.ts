import {
  isStaff,
  type EventEnvelope,
  type NotificationContextCommand,
  type NotificationContextReply,
  type NotificationPreference,
  type NotificationRecipient,
  type NotificationUserContextCommand,
  type NotificationUserContextReply,
  type EmailVerificationRequestedData,
  type NotificationOrganization,
  type NotificationOrganizationContextCommand,
  type NotificationOrganizationContextReply,
  type PasswordResetRequestedData,
  type Role,
  type TicketNotificationRequestedData,
  type SlaTarget,
  type TeamAssignment,
  type TicketMergedData,
  type UserInvitedData,
  type WebhookDisabledData,
} from '@helpdesk/contracts';
import { randomBytes } from 'node:crypto';
import {
  agentReplyMail,
  customerReplyMail,
  followedUpdateMail,
  emailVerificationMail,
  invitationMail,
  mailboxFailedMail,
  webhookDisabledMail,
  ruleNotificationMail,
  newTicketMail,
  passwordResetMail,
  slaMail,
  ticketAssignedMail,
  ticketCreatedMail,
  ticketSolvedMail,
  ticketMergedMail,
  type FollowedUpdate,
  type RenderedMail,
  type TicketMailContext,
} from '../mail/mail-templates.js';
import type { AccountLinkRequest } from '../mail/mail-transport.js';

export const MAIL_TEMPLATES = [
  'ticket-created',
  'agent-reply',
  'ticket-solved',
  'ticket-merged',
  'new-ticket',
  'ticket-assigned',
  'customer-reply',
  'ticket-followed-update',
  'sla-warning',
  'sla-breached',
  'invitation',
  'password-reset',
  'email-verification',
  'mailbox-failed',
  'webhook-disabled',
  'rule-notification',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** The preference that turns each mail off; account mails have none and always go. */
const PREFERENCE_OF: Record<MailTemplate, NotificationPreference | undefined> = {
  'ticket-created': 'ticketCreated',
  'agent-reply': 'agentReply',
  'ticket-solved': 'ticketSolved',
  // A merge closes the request as solving it would: the same choice turns both off.
  'ticket-merged': 'ticketSolved',
  'new-ticket': 'newTicket',
  'ticket-assigned': 'ticketAssigned',
  'customer-reply': 'customerReply',
  'ticket-followed-update': 'followedTicket',
  'sla-warning': 'slaWarning',
  'sla-breached': 'slaBreached',
  invitation: undefined,
  'password-reset': undefined,
  'email-verification': undefined,
  'mailbox-failed': undefined,
  'webhook-disabled': undefined,
  // An admin's rule chose to send it: no personal preference turns it off.
  'rule-notification': undefined,
};

/** Mails only staff may receive: they name internal workflow (assignments, SLA targets, other customers' tickets). */
const STAFF_TEMPLATES: ReadonlySet<MailTemplate> = new Set(['new-ticket', 'ticket-assigned', 'customer-reply', 'ticket-followed-update', 'sla-warning', 'sla-breached', 'mailbox-failed', 'webhook-disabled']);

/** The parts of the event payloads (docs/events.md) that mails read. */
interface TicketEventData {
  ticket: { id: string; assigneeId?: string | null };
}
interface CommentCreatedData {
  comment: { id: string; body: string; internal: boolean; authorId: string };
  ticket: { id: string };
  authorRole: Role;
}
interface StatusChangedData extends TicketEventData {
  from: string;
  to: string;
}
interface SlaEventData extends TicketEventData {
  target: SlaTarget;
  warningAt?: string;
  dueAt?: string;
}

export interface PlannedMail {
  template: MailTemplate;
  ticketId: string | null;
  /** Ticket mails: the number their reply token names. */
  ticketNumber?: number;
  to: NotificationRecipient;
  rendered: RenderedMail;
  accountLink?: AccountLinkRequest;
}

/** What to ask the ticket service before planning an event's mails: one command, about a ticket or about a user. */
export type ContextRequest =
  | { kind: 'ticket'; command: NotificationContextCommand }
  | { kind: 'user'; command: NotificationUserContextCommand }
  | { kind: 'organization'; command: NotificationOrganizationContextCommand };

/** What `mailbox.failed` carries (published by the notification service's mailbox readers). */
interface MailboxFailedEventData {
  address: string;
  lastError: string | null;
  failingSince: string;
}

const actorId = (event: EventEnvelope) => ('userId' in event.actor ? event.actor.userId : undefined);
const staffActorId = (event: EventEnvelope) => ('userId' in event.actor && isStaff(event.actor.role) ? event.actor.userId : undefined);

/**
 * What an event's mails need to know, or undefined when the event sends no mail: decided from the
 * event alone, so internal notes never even fetch a recipient.
 */
export function mailContextRequest(event: EventEnvelope): ContextRequest | undefined {
  const ticket = (orgId: string, ticketId: string, extra: Partial<NotificationContextCommand> = {}): ContextRequest => ({ kind: 'ticket', command: { orgId, ticketId, ...extra } });
  switch (event.type) {
    case 'ticket.created':
      return ticket(event.orgId, (event.data as unknown as TicketEventData).ticket.id, { staffContacts: true });
    case 'ticket.assigned': {
      const data = event.data as unknown as TicketEventData;
      const actor = actorId(event);
      return data.ticket.assigneeId ? ticket(event.orgId, data.ticket.id, actor ? { authorId: actor } : {}) : undefined;
    }
    case 'ticket.status_changed': {
      // Any status change reaches the ticket's followers; a solved one also its requester.
      const data = event.data as unknown as StatusChangedData;
      const actor = actorId(event);
      return ticket(event.orgId, data.ticket.id, { followers: true, ...(actor ? { authorId: actor } : {}) });
    }
    case 'ticket.merged':
      return ticket(event.orgId, (event.data as unknown as TicketMergedData).ticket.id);
    case 'comment.created': {
      const data = event.data as unknown as CommentCreatedData;
      // Internal notes reach only the followers, who are staff.
      if (data.comment.internal) return ticket(event.orgId, data.ticket.id, { authorId: data.comment.authorId, followers: true });
      return ticket(event.orgId, data.ticket.id, { authorId: data.comment.authorId, participants: isStaff(data.authorRole), followers: true });
    }
    case 'ticket.sla.warning':
    case 'ticket.sla.breached':
      return ticket(event.orgId, (event.data as unknown as SlaEventData).ticket.id, { staffContacts: true });
    case 'ticket.notification_requested': {
      const data = event.data as unknown as TicketNotificationRequestedData;
      return ticket(event.orgId, data.ticket.id, data.to === 'team' ? { staffContacts: true } : {});
    }
    case 'user.invited':
      return { kind: 'user', command: { orgId: event.orgId, userId: (event.data as unknown as UserInvitedData).userId } };
    case 'auth.password_reset_requested':
      return { kind: 'user', command: { orgId: event.orgId, userId: (event.data as unknown as PasswordResetRequestedData).userId } };
    case 'auth.email_verification_requested':
      return { kind: 'user', command: { orgId: event.orgId, userId: (event.data as unknown as EmailVerificationRequestedData).userId } };
    case 'mailbox.failed':
    case 'webhook.disabled':
      return { kind: 'organization', command: { orgId: event.orgId } };
    default:
      return undefined;
  }
}

function wants(recipient: NotificationRecipient, template: MailTemplate): boolean {
  if (!recipient.active) return false;
  if (STAFF_TEMPLATES.has(template) && !isStaff(recipient.role)) return false;
  const preference = PREFERENCE_OF[template];
  return preference === undefined || recipient.notificationPreferences[preference] !== false;
}

/** The first non-empty group of active people, without those excluded, each once. */
function firstActiveGroup(groups: Array<NotificationRecipient[] | undefined>, excluded: Array<string | undefined>): NotificationRecipient[] {
  for (const group of groups) {
    const people = (group ?? []).filter((person, index, all) => person.active && !excluded.includes(person.id) && all.findIndex((other) => other.id === person.id) === index);
    if (people.length > 0) return people;
  }
  return [];
}

const ASSIGNMENT_RULE_NAMES: Record<TeamAssignment, string> = { manual: 'Someone', round_robin: 'Round-robin assignment', load_balanced: 'Load-balanced assignment' };

/**
 * Who assigned the ticket, as the mail says it: the team's rule when one did (`data.assignment`);
 * on a creation without one, the creation's trigger (nobody else assigns a ticket as it is created);
 * else the person.
 */
function assignerName(event: EventEnvelope, author: NotificationRecipient | undefined): string {
  const { assignment, triggers } = event.data as { assignment?: TeamAssignment; triggers?: Array<{ name: string }> };
  if (assignment) return ASSIGNMENT_RULE_NAMES[assignment];
  const trigger = event.type === 'ticket.created' ? triggers?.at(-1) : undefined;
  return trigger ? `The trigger "${trigger.name}"` : (author?.name ?? 'Someone');
}

/** The mails a ticket event sends, given what the ticket service answered about its ticket. */
export function planTicketMails(event: EventEnvelope, context: NotificationContextReply, settings: { appBaseUrl: string }): PlannedMail[] {
  const { organization, ticket, requester, assignee, author } = context;
  const ticketUrl = `${settings.appBaseUrl.replace(/\/+$/, '')}/tickets/${ticket.id}`;
  const planned: PlannedMail[] = [];
  const add = (template: MailTemplate, to: NotificationRecipient, render: (base: TicketMailContext) => RenderedMail, accountLink?: AccountLinkRequest) =>
    planned.push({ template, ticketId: ticket.id, ticketNumber: ticket.number, to, rendered: render({ organizationName: organization.name, recipientName: to.name, ticket, ticketUrl }), ...(accountLink ? { accountLink } : {}) });

  switch (event.type) {
    case 'ticket.created': {
      add('ticket-created', requester, ticketCreatedMail);
      const assigneeId = (event.data as unknown as TicketEventData).ticket.assigneeId;
      if (assigneeId) {
        // Born assigned by the team's rule: the assignee hears of it, not the whole team (as a later assignment would).
        if (assignee && assignee.id === assigneeId && assignee.id !== actorId(event)) add('ticket-assigned', assignee, (base) => ticketAssignedMail({ ...base, assignedBy: assignerName(event, author) }));
        break;
      }
      // The team hears of it, or the admins when the ticket has no team (or an empty one); never the requester, nor the staff member who opened it.
      for (const member of firstActiveGroup([context.teamMembers, context.admins], [requester.id, staffActorId(event)])) {
        add('new-ticket', member, (base) => newTicketMail({ ...base, requesterName: requester.name }));
      }
      break;
    }
    case 'ticket.assigned': {
      const assigneeId = (event.data as unknown as TicketEventData).ticket.assigneeId;
      // Reassigned again since: the later event mails the new assignee. Taking a ticket oneself needs no mail.
      if (!assignee || assignee.id !== assigneeId || assignee.id === actorId(event)) break;
      add('ticket-assigned', assignee, (base) => ticketAssignedMail({ ...base, assignedBy: assignerName(event, author) }));
      break;
    }
    case 'ticket.status_changed': {
      if ((event.data as unknown as StatusChangedData).to !== 'solved' || requester.id === actorId(event)) break;
      if (!organization.satisfactionSurveys) {
        add('ticket-solved', requester, ticketSolvedMail);
        break;
      }
      const surveyPlaceholder = `survey-link-${randomBytes(16).toString('hex')}`;
      add('ticket-solved', requester, (base) => ticketSolvedMail({ ...base, surveyPlaceholder }), { purpose: 'satisfaction', userId: requester.id, ticketId: ticket.id, placeholder: surveyPlaceholder });
      break;
    }
    case 'ticket.merged': {
      // The source's requester, once; not when they merged it themselves (staff opening tickets for themselves).
      if (requester.id === actorId(event)) break;
      const { target } = event.data as unknown as TicketMergedData;
      add('ticket-merged', requester, (base) => ticketMergedMail({ ...base, targetNumber: target.number }));
      break;
    }
    case 'comment.created': {
      const { comment, authorRole } = event.data as unknown as CommentCreatedData;
      // Internal notes never leave the staff; nobody is mailed their own comment.
      if (comment.internal) break;
      if (isStaff(authorRole)) {
        // The requester and the people Cc'd on the ticket's mails (its participants) hear of a public reply.
        for (const person of firstActiveGroup([[requester, ...(context.participants ?? [])]], [comment.authorId])) {
          const copied = person.id !== requester.id;
          add('agent-reply', person, (base) => agentReplyMail({ ...base, authorName: author?.name ?? 'Our support team', replyHtml: comment.body, copied }));
        }
      } else if (assignee && assignee.id !== comment.authorId) {
        add('customer-reply', assignee, (base) => customerReplyMail({ ...base, authorName: author?.name ?? requester.name, replyHtml: comment.body }));
      }
      break;
    }
    case 'ticket.sla.warning':
    case 'ticket.sla.breached': {
      const data = event.data as unknown as SlaEventData;
      const milestone = event.type === 'ticket.sla.warning' ? 'warning' : 'breached';
      for (const person of firstActiveGroup([assignee ? [assignee] : [], context.teamMembers, context.admins], [])) {
        add(milestone === 'warning' ? 'sla-warning' : 'sla-breached', person, (base) => slaMail({ ...base, milestone, target: data.target, dueAt: data.dueAt }));
      }
      break;
    }
    case 'ticket.notification_requested': {
      const data = event.data as unknown as TicketNotificationRequestedData;
      const notify = (to: NotificationRecipient, ticketNumber: number | undefined) =>
        planned.push({
          template: 'rule-notification',
          ticketId: ticket.id,
          ...(ticketNumber === undefined ? {} : { ticketNumber }),
          to,
          rendered: ruleNotificationMail({ organizationName: organization.name, recipientName: to.name, ticket, ticketUrl, subject: data.subject, bodyHtml: data.body, staff: isStaff(to.role) }),
        });
      if (data.to === 'assignee') {
        if (assignee?.active) notify(assignee, ticket.number);
      } else if (data.to === 'requester') {
        notify(requester, ticket.number);
      } else if (data.to === 'team') {
        // The ticket's team only: a rule naming "team" on a ticket without one mails nobody.
        if (ticket.teamId) for (const member of firstActiveGroup([context.teamMembers], [])) notify(member, ticket.number);
      } else {
        // A plain address, maybe nobody's account: no reply token (it would let the address act on the ticket), counted as mail to an outsider.
        notify({ id: `address:${data.to}`, email: data.to, name: data.to, role: 'customer', active: true, notificationPreferences: {}, bouncing: false }, undefined);
      }
      break;
    }
    default:
      break;
  }
  const wanted = planned.filter((mail) => wants(mail.to, mail.template));
  const update = followedUpdateOf(event, context);
  if (!update) return wanted;
  // Followers hear of it unless they made the change or this event already mails them (the assignee's customer reply, say).
  const excluded = [update.changedById, ...wanted.map((mail) => mail.to.id)];
  const followerMails: PlannedMail[] = [];
  for (const follower of firstActiveGroup([context.followers], excluded)) {
    followerMails.push({
      template: 'ticket-followed-update',
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      to: follower,
      rendered: followedUpdateMail({ organizationName: organization.name, recipientName: follower.name, ticket, ticketUrl, update: update.mail }),
    });
  }
  return [...wanted, ...followerMails.filter((mail) => wants(mail.to, mail.template))];
}

/** The update a ticket's followers hear of, and who made it; undefined for events they do not. */
function followedUpdateOf(event: EventEnvelope, context: NotificationContextReply): { mail: FollowedUpdate; changedById: string | undefined } | undefined {
  if (event.type === 'comment.created') {
    const { comment } = event.data as unknown as CommentCreatedData;
    const authorName = context.author?.name ?? 'Someone';
    return { mail: { kind: 'comment', authorName, bodyHtml: comment.body, internal: comment.internal }, changedById: comment.authorId };
  }
  if (event.type === 'ticket.status_changed') {
    const { from, to } = event.data as unknown as StatusChangedData;
    return { mail: { kind: 'status', changedBy: context.author?.name ?? 'The help desk', from, to }, changedById: actorId(event) };
  }
  return undefined;
}

/**
 * Whether a mail goes outside the organization's staff: to a customer (or any address a ticket
 * names), or an invitation (the invitee is not a member until they accept). Such mails wait for the
 * organization's verified address and count against its hourly quota (DESIGN section 17).
 */
export function reachesOutsider(mail: PlannedMail): boolean {
  return mail.template === 'invitation' || !isStaff(mail.to.role);
}

/** The mails an organization may send now, and those dropped because its signup address is not verified yet. */
export function splitByVerification(organization: NotificationOrganization, planned: PlannedMail[]): { allowed: PlannedMail[]; unverified: PlannedMail[] } {
  if (organization.emailVerified) return { allowed: planned, unverified: [] };
  return { allowed: planned.filter((mail) => !reachesOutsider(mail)), unverified: planned.filter(reachesOutsider) };
}

/** The invitation, password reset or address verification mail of an account event; its link is issued only when the mail is sent. */
export function planAccountMails(event: EventEnvelope, context: NotificationUserContextReply): PlannedMail[] {
  const { organization, user } = context;
  const placeholder = `account-link-${randomBytes(16).toString('hex')}`;
  const base = { organizationName: organization.name, recipientName: user.name, linkPlaceholder: placeholder };
  let mail: PlannedMail;
  switch (event.type) {
    case 'user.invited':
      mail = { template: 'invitation', ticketId: null, to: user, rendered: invitationMail(base), accountLink: { purpose: 'invitation', userId: user.id, placeholder } };
      break;
    case 'auth.password_reset_requested': {
      const { requestId } = event.data as unknown as PasswordResetRequestedData;
      mail = { template: 'password-reset', ticketId: null, to: user, rendered: passwordResetMail(base), accountLink: { purpose: 'password-reset', userId: user.id, requestId, placeholder } };
      break;
    }
    case 'auth.email_verification_requested':
      // Verified since (another admin's link, or the first of two mails): nothing left to ask.
      if (organization.emailVerified) return [];
      mail = { template: 'email-verification', ticketId: null, to: user, rendered: emailVerificationMail(base), accountLink: { purpose: 'email-verification', userId: user.id, placeholder } };
      break;
    default:
      return [];
  }
  return wants(mail.to, mail.template) ? [mail] : [];
}

/** `mailbox.failed` and `webhook.disabled`: each active admin of the organization, once per event (the event is once per incident). */
export function planOrganizationMails(event: EventEnvelope, context: NotificationOrganizationContextReply, settings: { appBaseUrl: string }): PlannedMail[] {
  const base = settings.appBaseUrl.replace(/\/+$/, '');
  let render: (recipientName: string) => { template: MailTemplate; rendered: RenderedMail };
  if (event.type === 'mailbox.failed') {
    const data = event.data as unknown as MailboxFailedEventData;
    render = (recipientName) => ({
      template: 'mailbox-failed',
      rendered: mailboxFailedMail({ organizationName: context.organization.name, recipientName, address: data.address, lastError: data.lastError, failingSince: data.failingSince, mailboxesUrl: `${base}/admin/mailboxes` }),
    });
  } else if (event.type === 'webhook.disabled') {
    const data = event.data as unknown as WebhookDisabledData;
    render = (recipientName) => ({
      template: 'webhook-disabled',
      rendered: webhookDisabledMail({ organizationName: context.organization.name, recipientName, url: data.url, reason: data.reason, webhooksUrl: `${base}/admin/webhooks` }),
    });
  } else return [];
  return context.admins.map((admin): PlannedMail => ({ ...render(admin.name), ticketId: null, to: admin })).filter((mail) => wants(mail.to, mail.template));
}
