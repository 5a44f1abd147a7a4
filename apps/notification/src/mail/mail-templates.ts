import { sanitizeRichText, stripToPlainText } from '@helpdesk/common';

// Two short templates do not justify a template engine: a tagged template that escapes every
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
  return new SafeHtml(strings.reduce((out, part, index) => {
    const value = values[index - 1]!;
    return out + (value instanceof SafeHtml ? value.value : escapeHtml(String(value))) + part;
  }));
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

export interface TicketMailContext {
  organizationName: string;
  recipientName: string;
  ticket: { number: number; subject: string };
  ticketUrl: string;
}

function layout(context: TicketMailContext, body: SafeHtml): string {
  return html`<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello ${context.recipientName},</p>
${body}
<p><a href="${context.ticketUrl}">View request #${context.ticket.number}</a></p>
<p style="color: #666">${context.organizationName}</p>
</body></html>`.value;
}

function footer(context: TicketMailContext): string {
  return `View request #${context.ticket.number}: ${context.ticketUrl}\n\n${context.organizationName}\n`;
}

export function ticketCreatedMail(context: TicketMailContext): RenderedMail {
  const { organizationName, recipientName, ticket } = context;
  return {
    subject: `We received your request #${ticket.number}: ${ticket.subject}`,
    text: `Hello ${recipientName},\n\n${organizationName} received your request #${ticket.number}: "${ticket.subject}". We will get back to you soon.\n\n${footer(context)}`,
    html: layout(context, html`<p>${organizationName} received your request <strong>#${ticket.number}: ${ticket.subject}</strong>. We will get back to you soon.</p>`),
  };
}

export function agentReplyMail(context: TicketMailContext & { authorName: string; replyHtml: string }): RenderedMail {
  const { organizationName, recipientName, ticket, authorName } = context;
  // The ticket service sanitized the body on write; sanitizing again costs little and keeps this mail safe on its own.
  const reply = new SafeHtml(sanitizeRichText(context.replyHtml));
  return {
    subject: `Re: [#${ticket.number}] ${ticket.subject}`,
    text: `Hello ${recipientName},\n\n${authorName} (${organizationName}) replied to your request #${ticket.number}:\n\n${htmlToText(reply.value)}\n\n${footer(context)}`,
    html: layout(context, html`<p>${authorName} (${organizationName}) replied to your request #${ticket.number}:</p>
<blockquote style="margin: 0; padding-left: 1em; border-left: 3px solid #ccc">${reply}</blockquote>`),
  };
}
