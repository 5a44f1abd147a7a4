import { sanitizeRichText, stripToPlainText } from '@helpdesk/common';
import type { SlaTarget } from '@helpdesk/contracts';

// A handful of short templates does not justify a template engine: a tagged template that escapes every
// interpolated value by default is safer (nothing to forget, no engine sandbox to audit) and has no dependency.

/** Markup that is already safe HTML and must not be escaped again. */
class SafeHtml {
  constructor(readonly value: string) {}
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

function html(strings: TemplateStringsArray, ...values: Array<string | number | SafeHtml>): SafeHtml {
  return new SafeHtml(
    strings.reduce((out, part, index) => {
      const value = values[index - 1]!;
      return out + (value instanceof SafeHtml ? value.value : escapeHtml(String(value))) + part;
    }),
  );
}

/** A comment's sanitized HTML as readable text: block ends become line breaks, tags go, entities are decoded. */
export function htmlToText(markup: string): string {
  const withBreaks = markup.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|h[1-6]|blockquote|pre|tr)>/gi, '\n');
  return stripToPlainText(withBreaks, { multiline: true }).replace(/\n{3,}/g, '\n\n');
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Link {
  url: string;
  label: string;
}

/** The same frame around every mail: greeting, body, one link, the organization's name. */
function render(parts: { subject: string; recipientName: string; text: string; body: SafeHtml; link?: Link; signature: string }): RenderedMail {
  const { subject, recipientName, text, body, link, signature } = parts;
  const linkLine = link ? `${link.label}: ${link.url}\n\n` : '';
  const linkHtml = link ? html`<p><a href="${link.url}">${link.label}</a></p>` : html``;
  return {
    subject,
    text: `Hello ${recipientName},\n\n${text}\n\n${linkLine}${signature}\n`,
    html: html`<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello ${recipientName},</p>
${body}
${linkHtml}
<p style="color: #666">${signature}</p>
</body></html>`.value,
  };
}

const FOLDED_QUOTE = /<details>[\s\S]*?<\/details>/g;
const ATTACHMENT_IMAGE = /<img src="\/api\/v1\/attachments\/[0-9a-f-]{36}"(?: alt="([^"]*)")? \/>/g;

/**
 * What a mail can show of a body made from inbound mail: its folded quote is left out (mail clients
 * open <details>, and the reader has that history already), and an inline image, which only the
 * console's session can load, becomes its name.
 */
function mailable(safeHtml: string): string {
  return safeHtml.replace(FOLDED_QUOTE, '').replace(ATTACHMENT_IMAGE, (_, alt?: string) => (alt ? `[image: ${alt}]` : '[image]'));
}

/** A comment body: sanitized again here (cheap, and keeps this mail safe on its own), quoted in HTML and as text. */
export function quote(bodyHtml: string): { text: string; html: SafeHtml } {
  const safe = new SafeHtml(mailable(sanitizeRichText(bodyHtml)));
  return { text: htmlToText(safe.value), html: html`<blockquote style="margin: 0; padding-left: 1em; border-left: 3px solid #ccc">${safe}</blockquote>` };
}

export interface TicketMailContext {
  organizationName: string;
  recipientName: string;
  ticket: { number: number; subject: string };
  ticketUrl: string;
}

const requestLink = (context: TicketMailContext): Link => ({ url: context.ticketUrl, label: `View request #${context.ticket.number}` });
const ticketLink = (context: TicketMailContext): Link => ({ url: context.ticketUrl, label: `Open ticket #${context.ticket.number}` });

// Mails to the requester.

export function ticketCreatedMail(context: TicketMailContext): RenderedMail {
  const { organizationName, ticket } = context;
  return render({
    subject: `We received your request #${ticket.number}: ${ticket.subject}`,
    recipientName: context.recipientName,
    text: `${organizationName} received your request #${ticket.number}: "${ticket.subject}". We will get back to you soon.`,
    body: html`<p>${organizationName} received your request <strong>#${ticket.number}: ${ticket.subject}</strong>. We will get back to you soon.</p>`,
    link: requestLink(context),
    signature: organizationName,
  });
}

/** `copied`: to a participant (Cc'd on the ticket's mails), who answers by mail and has no page of the request to open. */
export function agentReplyMail(context: TicketMailContext & { authorName: string; replyHtml: string; copied?: boolean }): RenderedMail {
  const { organizationName, ticket, authorName } = context;
  const reply = quote(context.replyHtml);
  const whose = context.copied ? 'the request' : 'your request';
  return render({
    subject: `Re: [#${ticket.number}] ${ticket.subject}`,
    recipientName: context.recipientName,
    text: `${authorName} (${organizationName}) replied to ${whose} #${ticket.number}:\n\n${reply.text}`,
    body: html`<p>${authorName} (${organizationName}) replied to ${whose} #${ticket.number}:</p>
${reply.html}`,
    ...(context.copied ? {} : { link: requestLink(context) }),
    signature: organizationName,
  });
}

/**
 * `surveyPlaceholder`: the organization asks for a rating; each button is the survey link (issued when
 * the mail is sent, in place of the placeholder) with its rating, so one click rates the ticket.
 */
export function ticketSolvedMail(context: TicketMailContext & { surveyPlaceholder?: string }): RenderedMail {
  const { organizationName, ticket, surveyPlaceholder } = context;
  const solved = `Your request #${ticket.number} "${ticket.subject}" was marked as solved. If something is still wrong, reply on the request and we will pick it up again.`;
  const good = `${surveyPlaceholder}?rating=good`;
  const bad = `${surveyPlaceholder}?rating=bad`;
  const buttonStyle = 'display: inline-block; padding: 8px 16px; margin-right: 8px; border-radius: 4px; color: #fff; text-decoration: none';
  return render({
    subject: `Solved: [#${ticket.number}] ${ticket.subject}`,
    recipientName: context.recipientName,
    text: surveyPlaceholder ? `${solved}\n\nHow would you rate the support you received?\nGood, I'm satisfied: ${good}\nBad, I'm unsatisfied: ${bad}` : solved,
    body: surveyPlaceholder
      ? html`<p>Your request <strong>#${ticket.number}: ${ticket.subject}</strong> was marked as solved. If something is still wrong, reply on the request and we will pick it up again.</p>
<p>How would you rate the support you received?</p>
<p><a href="${good}" style="${buttonStyle}; background: #2f9e44">Good, I'm satisfied</a> <a href="${bad}" style="${buttonStyle}; background: #e03131">Bad, I'm unsatisfied</a></p>`
      : html`<p>Your request <strong>#${ticket.number}: ${ticket.subject}</strong> was marked as solved. If something is still wrong, reply on the request and we will pick it up again.</p>`,
    link: requestLink(context),
    signature: organizationName,
  });
}

export function ticketMergedMail(context: TicketMailContext & { targetNumber: number }): RenderedMail {
  const { organizationName, ticket, targetNumber } = context;
  return render({
    subject: `Merged: [#${ticket.number}] ${ticket.subject}`,
    recipientName: context.recipientName,
    text: `Your request #${ticket.number} "${ticket.subject}" was merged into request #${targetNumber}, where we continue to work on it. Its messages and files moved there, and you will hear from us on #${targetNumber}.`,
    body: html`<p>Your request <strong>#${ticket.number}: ${ticket.subject}</strong> was merged into request <strong>#${targetNumber}</strong>, where we continue to work on it. Its messages and files moved there, and you will hear from us on #${targetNumber}.</p>`,
    link: requestLink(context),
    signature: organizationName,
  });
}

// Mails to staff.

export function newTicketMail(context: TicketMailContext & { requesterName: string }): RenderedMail {
  const { organizationName, ticket, requesterName } = context;
  return render({
    subject: `[#${ticket.number}] New ticket: ${ticket.subject}`,
    recipientName: context.recipientName,
    text: `${requesterName} opened ticket #${ticket.number}: "${ticket.subject}".`,
    body: html`<p>${requesterName} opened ticket <strong>#${ticket.number}: ${ticket.subject}</strong>.</p>`,
    link: ticketLink(context),
    signature: organizationName,
  });
}

export function ticketAssignedMail(context: TicketMailContext & { assignedBy: string }): RenderedMail {
  const { organizationName, ticket, assignedBy } = context;
  return render({
    subject: `[#${ticket.number}] Assigned to you: ${ticket.subject}`,
    recipientName: context.recipientName,
    text: `${assignedBy} assigned ticket #${ticket.number} "${ticket.subject}" to you.`,
    body: html`<p>${assignedBy} assigned ticket <strong>#${ticket.number}: ${ticket.subject}</strong> to you.</p>`,
    link: ticketLink(context),
    signature: organizationName,
  });
}

export function customerReplyMail(context: TicketMailContext & { authorName: string; replyHtml: string }): RenderedMail {
  const { organizationName, ticket, authorName } = context;
  const reply = quote(context.replyHtml);
  return render({
    subject: `Re: [#${ticket.number}] ${ticket.subject}`,
    recipientName: context.recipientName,
    text: `${authorName} replied on ticket #${ticket.number}:\n\n${reply.text}`,
    body: html`<p>${authorName} replied on ticket #${ticket.number}:</p>
${reply.html}`,
    link: ticketLink(context),
    signature: organizationName,
  });
}

/** What happened on a followed ticket: a comment (a public reply or an internal note) or a status change. */
/**
 * A workflow rule's notify action (a trigger or automation an admin wrote): its own subject and body,
 * already rendered for the ticket by the ticket service, framed like every mail.
 */
export function ruleNotificationMail(context: TicketMailContext & { subject: string; bodyHtml: string; staff: boolean }): RenderedMail {
  const { organizationName } = context;
  const safe = new SafeHtml(mailable(sanitizeRichText(context.bodyHtml)));
  return render({
    subject: `[#${context.ticket.number}] ${context.subject}`,
    recipientName: context.recipientName,
    text: htmlToText(safe.value),
    body: html`${safe}`,
    link: context.staff ? ticketLink(context) : requestLink(context),
    signature: organizationName,
  });
}

export type FollowedUpdate = { kind: 'comment'; authorName: string; bodyHtml: string; internal: boolean } | { kind: 'status'; changedBy: string; from: string; to: string };

/** To a staff member following the ticket, who is neither its assignee nor the one who changed it. */
export function followedUpdateMail(context: TicketMailContext & { update: FollowedUpdate }): RenderedMail {
  const { organizationName, ticket, update } = context;
  const intro = `ticket #${ticket.number} "${ticket.subject}", which you follow`;
  if (update.kind === 'status') {
    const sentence = `${update.changedBy} changed the status of ${intro}, from ${update.from} to ${update.to}.`;
    return render({
      subject: `[#${ticket.number}] Now ${update.to}: ${ticket.subject}`,
      recipientName: context.recipientName,
      text: sentence,
      body: html`<p>${sentence}</p>`,
      link: ticketLink(context),
      signature: organizationName,
    });
  }
  const what = update.internal ? 'an internal note' : 'a reply';
  const comment = quote(update.bodyHtml);
  return render({
    subject: `Re: [#${ticket.number}] ${ticket.subject}`,
    recipientName: context.recipientName,
    text: `${update.authorName} wrote ${what} on ${intro}:\n\n${comment.text}`,
    body: html`<p>${update.authorName} wrote ${what} on ${intro}:</p>
${comment.html}`,
    link: ticketLink(context),
    signature: organizationName,
  });
}

const TARGET_NAMES: Record<SlaTarget, string> = { first_response: 'first response', next_response: 'next response', resolution: 'resolution' };

export function slaMail(context: TicketMailContext & { milestone: 'warning' | 'breached'; target: SlaTarget; dueAt?: string }): RenderedMail {
  const { organizationName, ticket, milestone } = context;
  const target = TARGET_NAMES[context.target] ?? context.target;
  const due = context.dueAt ? ` (due ${context.dueAt})` : '';
  const sentence =
    milestone === 'warning'
      ? `Ticket #${ticket.number} "${ticket.subject}" has used 80% of its ${target} time${due}.`
      : `Ticket #${ticket.number} "${ticket.subject}" missed its ${target} target${due}.`;
  return render({
    subject: `[#${ticket.number}] SLA ${milestone === 'warning' ? 'warning' : 'breached'}: ${target}, ${ticket.subject}`,
    recipientName: context.recipientName,
    text: sentence,
    body: html`<p>${sentence}</p>`,
    link: ticketLink(context),
    signature: organizationName,
  });
}

/** To an organization's admins, once per incident: a mailbox stopped receiving and needs their hand. */
export function mailboxFailedMail(context: { organizationName: string; recipientName: string; address: string; lastError: string | null; failingSince: string; mailboxesUrl: string }): RenderedMail {
  const { organizationName, address } = context;
  const sentence = `The mailbox ${address} has failed to read its IMAP folder since ${context.failingSince}. Mail sent to it waits on the mail server until this is fixed.`;
  const error = context.lastError ?? 'unknown error';
  return render({
    subject: `Mailbox ${address} keeps failing`,
    recipientName: context.recipientName,
    text: `${sentence}\n\nLast error: ${error}\n\nCheck its IMAP settings (host, password, folder) in the console. You will hear again only if it fails again after recovering.`,
    body: html`<p>${sentence}</p><p>Last error: <code>${error}</code></p><p>Check its IMAP settings (host, password, folder) in the console. You will hear again only if it fails again after recovering.</p>`,
    link: { url: context.mailboxesUrl, label: 'Open the mailboxes' },
    signature: organizationName,
  });
}

/** To an organization's admins, once per disabling: a webhook failed too long and was turned off. */
export function webhookDisabledMail(context: { organizationName: string; recipientName: string; url: string; reason: string; webhooksUrl: string }): RenderedMail {
  const { organizationName, url } = context;
  const sentence = `The webhook to ${url} was disabled: ${context.reason}. No more events are sent to it.`;
  const advice = 'Fix the receiver, then enable the webhook again in the console; its delivery log shows what it answered.';
  return render({
    subject: `Webhook disabled: ${url}`,
    recipientName: context.recipientName,
    text: `${sentence}\n\n${advice}`,
    body: html`<p>${sentence}</p><p>${advice}</p>`,
    link: { url: context.webhooksUrl, label: 'Open the webhooks' },
    signature: organizationName,
  });
}

// Account mails: the link is only a placeholder here, replaced by a freshly issued single-use link when the mail is sent.

export interface AccountMailContext {
  organizationName: string;
  recipientName: string;
  linkPlaceholder: string;
}

export function invitationMail(context: AccountMailContext): RenderedMail {
  const { organizationName } = context;
  return render({
    subject: `You are invited to ${organizationName}`,
    recipientName: context.recipientName,
    text: `You have been invited to the ${organizationName} helpdesk. Choose your password with the link below; it is valid for 7 days and works once.`,
    body: html`<p>You have been invited to the <strong>${organizationName}</strong> helpdesk. Choose your password with the link below; it is valid for 7 days and works once.</p>`,
    link: { url: context.linkPlaceholder, label: 'Accept the invitation' },
    signature: organizationName,
  });
}

export function emailVerificationMail(context: AccountMailContext): RenderedMail {
  const { organizationName } = context;
  return render({
    subject: `Verify the email address of ${organizationName}`,
    recipientName: context.recipientName,
    text: `Please confirm that this address belongs to you. Until it is confirmed, ${organizationName} can mail only its own staff: no invitations and no mails to customers. The link below is valid for 48 hours and works once.`,
    body: html`<p>Please confirm that this address belongs to you. Until it is confirmed, <strong>${organizationName}</strong> can mail only its own staff: no invitations and no mails to customers. The link below is valid for 48 hours and works once.</p>`,
    link: { url: context.linkPlaceholder, label: 'Verify the address' },
    signature: organizationName,
  });
}

export function passwordResetMail(context: AccountMailContext): RenderedMail {
  const { organizationName } = context;
  return render({
    subject: `Reset your ${organizationName} password`,
    recipientName: context.recipientName,
    text: 'Someone asked to reset your password. The link below is valid for one hour and works once. If it was not you, ignore this mail: your password stays as it is.',
    body: html`<p>Someone asked to reset your password. The link below is valid for one hour and works once. If it was not you, ignore this mail: your password stays as it is.</p>`,
    link: { url: context.linkPlaceholder, label: 'Choose a new password' },
    signature: organizationName,
  });
}

// Operators.

export function adminAlertMail(alert: { service: string; instanceId: string; message: string; context?: string; occurredAt: string; dedupMinutes: number }): RenderedMail {
  const headline = alert.message.split('\n', 1)[0]!.slice(0, 120);
  const where = `${alert.service} (instance ${alert.instanceId}${alert.context ? `, ${alert.context}` : ''})`;
  return render({
    subject: `[helpdesk] Critical error in ${alert.service}: ${headline}`,
    recipientName: 'operator',
    text: `At ${alert.occurredAt}, ${where} logged a critical error:\n\n${alert.message}\n\nThe same error is mailed at most once every ${alert.dedupMinutes} minutes; see the service's logs for every occurrence.`,
    body: html`<p>At ${alert.occurredAt}, ${where} logged a critical error:</p>
<pre style="white-space: pre-wrap">${alert.message}</pre>
<p>The same error is mailed at most once every ${alert.dedupMinutes} minutes; see the service's logs for every occurrence.</p>`,
    signature: 'Helpdesk platform',
  });
}
