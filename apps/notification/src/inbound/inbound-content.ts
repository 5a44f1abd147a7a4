import { stripToPlainText } from '@helpdesk/common';
import type { ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';

/** The ticket service's limit on a subject (TICKET_LIMITS). */
const SUBJECT_MAX = 250;
const NO_SUBJECT = '(no subject)';

/** `<id@host>` as headers write it; mailparser answers Message-IDs with their angle brackets. */
export function normalizeMessageId(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

/** A message without a Message-ID is still recorded once: its id is minted from its bytes. */
export function messageIdOf(parsed: ParsedMail, raw: Buffer): string {
  if (parsed.messageId) return normalizeMessageId(parsed.messageId).slice(0, 998);
  return `<sha256-${createHash('sha256').update(raw).digest('hex')}@inbound.invalid>`;
}

/** In-Reply-To first, then References from the newest back: the ids this message answers. */
export function referencedMessageIds(parsed: ParsedMail): string[] {
  const references = typeof parsed.references === 'string' ? [parsed.references] : (parsed.references ?? []);
  const ids = [...(parsed.inReplyTo ? parsed.inReplyTo.split(/\s+/) : []), ...[...references].reverse()];
  return [...new Set(ids.filter((id) => id.length > 2).map(normalizeMessageId))].slice(0, 50);
}

/** The first sender address, with its display name when it has one. */
export function senderOf(parsed: ParsedMail): { email: string; name?: string } | undefined {
  const from = parsed.from?.value.find((address) => address.address);
  if (!from?.address) return undefined;
  const name = stripToPlainText(from.name ?? '').slice(0, 200);
  return name ? { email: from.address, name } : { email: from.address };
}

type MailAddress = { email: string; name?: string };

/** The addresses of a header as mailparser answers it: address objects (groups opened), lists of them, or plain text (X-Original-To). */
function addressesIn(header: unknown): MailAddress[] {
  if (Array.isArray(header)) return header.flatMap(addressesIn);
  if (typeof header === 'string') {
    return header
      .split(',')
      .map((part) => (/<([^<>]+)>/.exec(part)?.[1] ?? part).trim())
      .filter((email) => email.includes('@'))
      .map((email) => ({ email }));
  }
  const value = (header as { value?: Array<{ address?: string; name?: string; group?: unknown[] }> } | undefined)?.value;
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => (entry.group ? addressesIn({ value: entry.group }) : entry.address ? [{ email: entry.address, ...(entry.name ? { name: entry.name } : {}) }] : []));
}

/**
 * The addresses a message came to as its headers say (To, Cc, Delivered-To, X-Original-To), lower
 * case: where the IMAP and HTTP ways in look for a reply token, having no SMTP envelope.
 */
export function headerRecipients(parsed: ParsedMail): string[] {
  const headers = [parsed.to, parsed.cc, parsed.headers.get('delivered-to'), parsed.headers.get('x-original-to')];
  return [...new Set(headers.flatMap(addressesIn).map((address) => address.email.trim().toLowerCase()))];
}

/** The Cc addresses, each once, with a display name when given. */
export function ccOf(parsed: ParsedMail): MailAddress[] {
  const seen = new Set<string>();
  return addressesIn(parsed.cc).filter((address) => {
    const key = address.email.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function subjectOf(parsed: ParsedMail): string {
  return stripToPlainText(parsed.subject ?? '').slice(0, SUBJECT_MAX) || NO_SUBJECT;
}

/** `[#42]` in a subject: the ticket number a reply names (trusted only from a participant). */
export function subjectTicketNumber(subject: string): number | undefined {
  const match = /\[#(\d{1,9})\]/.exec(subject);
  return match ? Number(match[1]) : undefined;
}
