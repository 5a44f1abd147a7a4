import iconv from 'iconv-lite';
import type { ParsedMail } from 'mailparser';

const UTF7_WORD = /=\?utf-7\?([bq])\?([^?]*)\?=/gi;
const BETWEEN_WORDS = /(=\?utf-7\?[bq]\?[^?]*\?=)\s+(?==\?utf-7\?)/gi;

function decodeWord(encoding: string, text: string): string {
  const bytes = encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  return iconv.decode(bytes, 'utf7');
}

/**
 * The message with its UTF-7 subject and single-part UTF-7 body decoded. mailparser leaves UTF-7 as
 * it is, on purpose (it smuggles markup past filters that read the decoded text); here the result
 * is escaped or sanitized like any other text before it reaches a ticket, so it is safe to read.
 * UTF-7 is 7-bit ASCII, which mailparser passed through unchanged: decoding it now loses nothing.
 * Parts of a multipart message keep what mailparser made of them (their charsets are not exposed).
 */
export function withUtf7Decoded(parsed: ParsedMail): ParsedMail {
  const rawSubject = parsed.headerLines.find((line) => line.key === 'subject')?.line.replace(/^subject:\s*/i, '').replace(/\r?\n[ \t]+/g, ' ');
  const subject = rawSubject && /=\?utf-7\?/i.test(rawSubject) ? rawSubject.replace(BETWEEN_WORDS, '$1').replace(UTF7_WORD, (_, encoding: string, text: string) => decodeWord(encoding, text)) : parsed.subject;
  const contentType = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const utf7Body = contentType?.value?.toLowerCase().startsWith('text/') && contentType.params?.charset?.toLowerCase().replace(/[^a-z0-9]/g, '') === 'utf7';
  if (!utf7Body) return subject === parsed.subject ? parsed : { ...parsed, subject };
  const decode = (text: string | false | undefined) => (typeof text === 'string' ? iconv.decode(Buffer.from(text, 'latin1'), 'utf7') : undefined);
  const html = decode(parsed.html);
  return { ...parsed, subject, text: decode(parsed.text), html: html ?? false, textAsHtml: undefined };
}
