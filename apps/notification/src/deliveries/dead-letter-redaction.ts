import type { OutgoingMail } from '../mail/mail-transport.js';

/** Shown where an account mail's single-use link goes: the link is issued only when the mail is sent, never stored. */
export const WITHHELD_LINK = '[single-use link withheld]';
export const REDACTED = '[redacted]';

/**
 * Token-bearing parts of links: query values named like secrets (`?token=`, `&signature=`, also after
 * an HTML-escaped `&amp;`) and the path forms of the console's single-use pages (`/rate/<token>`).
 * An admin reading a dead letter must never obtain a link that acts as another user.
 */
const SECRET_QUERY_VALUE = /([?&;](?:token|code|key|secret|signature|sig|password)=)[^&\s"'<>]+/gi;
const SECRET_PATH_SEGMENT = /(\/(?:accept-invite|reset-password|verify-email|rate)\/)[^/?#\s"'<>]{8,}/gi;

export interface Redacted<T> {
  value: T;
  redacted: boolean;
}

/** Masks every token-bearing link part in free text (mail text or HTML, an SMTP error). */
export function redactSecrets(text: string): Redacted<string> {
  const value = text.replace(SECRET_QUERY_VALUE, `$1${REDACTED}`).replace(SECRET_PATH_SEGMENT, `$1${REDACTED}`);
  return { value, redacted: value !== text };
}

/** The stored mail as an admin may read it: the account link's placeholder named for what it is, any other secret masked. */
export function redactMail(message: OutgoingMail): Redacted<{ subject: string; text: string; html: string }> {
  const placeholder = message.accountLink?.placeholder;
  const withoutPlaceholder = (text: string) => (placeholder ? text.replaceAll(placeholder, WITHHELD_LINK) : text);
  const subject = redactSecrets(message.subject);
  const text = redactSecrets(withoutPlaceholder(message.text));
  const html = redactSecrets(withoutPlaceholder(message.html));
  return {
    value: { subject: subject.value, text: text.value, html: html.value },
    redacted: placeholder !== undefined || subject.redacted || text.redacted || html.redacted,
  };
}
