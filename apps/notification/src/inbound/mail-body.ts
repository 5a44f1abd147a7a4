import { sanitizeRichText, stripToPlainText } from '@helpdesk/common';
import { findAll } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { render } from 'dom-serializer';
import type { ParsedMail } from 'mailparser';
import type { MailAttachments } from './inbound-attachments.js';
import { foldHtml, foldPlainText, type FoldedText } from './quoted-text.js';

/** The ticket service's limit on a description or comment body (TICKET_LIMITS). */
const BODY_MAX = 65_536;
const FOLD_SUMMARY = 'Quoted text';
/** Fwd:, Fw:, and the German, French, Dutch, Spanish and Scandinavian clients' WG:, TR:, Doorst:, RV:, VS:, VB:. */
const FORWARD_SUBJECT = /^\s*(?:fwd?|wg|tr|doorst|rv|vs|vb)\s*:/i;
const FOLD_OMITTED = '<p><em>(Quoted text too long to show here; it is kept in the original message.)</em></p>';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text as paragraphs, line breaks kept. */
export function plainTextToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** `<img src="cid:…">` pointing at the stored inline image instead; a cid nobody stored stays, and the sanitizer drops it. */
export function showInlineImages(html: string, inlineImages: MailAttachments['inlineImages']): string {
  if (inlineImages.size === 0 || !/cid:/i.test(html)) return html;
  const document = parseDocument(html);
  for (const image of findAll((element) => element.name === 'img', document.children)) {
    const source = /^cid:(.+)$/i.exec(image.attribs.src?.trim() ?? '')?.[1];
    const stored = source ? inlineImages.get(safeDecode(source).toLowerCase()) : undefined;
    if (!stored) continue;
    image.attribs.src = stored.src;
    image.attribs.alt ||= stored.filename;
  }
  return render(document);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Refused attachments named one by one; past this many, the rest are counted. */
const REFUSALS_NAMED = 20;

/** The refused attachments, each named with the reason, so nobody thinks the sender sent nothing. */
function refusalNotes(refused: MailAttachments['refused']): string {
  const named = refused.slice(0, REFUSALS_NAMED).map(({ filename, reason }) => `<p><em>Attachment not accepted: ${escapeHtml(filename)} (${escapeHtml(reason)})</em></p>`);
  const more = refused.length - REFUSALS_NAMED;
  return named.join('') + (more > 0 ? `<p><em>${more} more attachments not accepted</em></p>` : '');
}

/** What the sender wrote now, then the history and signature in a closed <details> the reader can open. */
function withFold({ visible, folded }: FoldedText): string {
  return folded ? `${visible}<details><summary>${FOLD_SUMMARY}</summary>${folded}</details>` : visible;
}

/** The visible and folded parts of the HTML, each sanitized; everything visible when all of it is history. */
function htmlParts(html: string, fold: boolean): FoldedText | undefined {
  const { visible, folded } = fold ? foldHtml(html) : { visible: html, folded: '' };
  const safeVisible = sanitizeRichText(visible);
  const safeFolded = sanitizeRichText(folded);
  if (stripToPlainText(safeVisible) || safeVisible.includes('<img')) return { visible: safeVisible, folded: safeFolded };
  const whole = sanitizeRichText(html);
  return stripToPlainText(whole) || whole.includes('<img') ? { visible: whole, folded: '' } : undefined;
}

function textParts(text: string, fold: boolean): FoldedText {
  const { visible, folded } = fold ? foldPlainText(text) : { visible: text, folded: '' };
  return visible ? { visible: plainTextToHtml(visible), folded: plainTextToHtml(folded) } : { visible: plainTextToHtml(text), folded: '' };
}

/**
 * The body for the ticket (DESIGN section 13, content): the HTML part sanitized like any comment
 * (the ticket service sanitizes it again on write), inline images shown in place, or the plain text
 * when there is no HTML; quoted history and signatures folded away but kept; refused attachments
 * named. Within the body limit: the fold goes first, then the text is cut; never empty.
 */
export function mailBody(parsed: ParsedMail, attachments: Pick<MailAttachments, 'refused' | 'inlineImages'>): string {
  const notes = refusalNotes(attachments.refused);
  const room = BODY_MAX - notes.length;
  // A forward's quoted part is what the sender wants read: it stays in view.
  const fold = !FORWARD_SUBJECT.test(parsed.subject ?? '');
  const parts = parsed.html ? htmlParts(showInlineImages(parsed.html, attachments.inlineImages), fold) : undefined;
  const chosen = parts ?? textParts(parsed.text ?? (parsed.html ? stripToPlainText(parsed.html, { multiline: true }) : ''), fold);
  const folded = withFold(chosen);
  if (folded.length <= room && chosen.visible) return folded + notes;
  if (chosen.visible && `${chosen.visible}${FOLD_OMITTED}`.length <= room) return chosen.visible + FOLD_OMITTED + notes;
  const text = parsed.text ?? stripToPlainText(chosen.visible, { multiline: true });
  let html = plainTextToHtml(text);
  // Escaping grows the text: cut the source until the HTML fits.
  for (let cut = text.length; html.length > room && cut > 0; ) {
    cut = Math.floor(cut * 0.8);
    html = plainTextToHtml(`${text.slice(0, cut)}\n\n[…]`);
  }
  return (html || (notes ? '' : '<p>(empty message)</p>')) + notes;
}
