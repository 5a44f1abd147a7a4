import EmailReplyParser from 'email-reply-parser';
import { render } from 'dom-serializer';
import { findOne, removeElement } from 'domutils';
import { parseDocument } from 'htmlparser2';
import type { AnyNode, Element } from 'domhandler';

/** A message split into what the sender wrote now and what it carries along (quoted history, signature). */
export interface FoldedText {
  visible: string;
  folded: string;
}

/**
 * The plain text split by email-reply-parser (Crisp's maintained port of GitHub's parser): quoted
 * lines, "On … wrote:" headers and signatures are folded, in the order they came.
 */
export function foldPlainText(text: string): FoldedText {
  const fragments = new EmailReplyParser().read(text.replace(/\r\n?/g, '\n')).getFragments();
  const visible = fragments.filter((fragment) => !fragment.isHidden()).map((fragment) => fragment.getContent());
  const folded = fragments.filter((fragment) => fragment.isHidden()).map((fragment) => fragment.getContent());
  return { visible: visible.join('\n').trim(), folded: folded.join('\n').trim() };
}

/**
 * Where the mail clients start the history or the signature in their HTML. Hand-written because the
 * maintained reply parsers read plain text only; each client marks these with its own element.
 */
const HTML_FOLD_MARKERS: ReadonlyArray<(element: Element) => boolean> = [
  // Gmail
  (element) => hasClass(element, 'gmail_quote') || hasClass(element, 'gmail_quote_container') || hasClass(element, 'gmail_signature'),
  // Thunderbird ("On … wrote:" line before its blockquote, and its signature)
  (element) => hasClass(element, 'moz-cite-prefix') || hasClass(element, 'moz-signature'),
  // Apple Mail, Thunderbird and most others quote in <blockquote type="cite">
  (element) => element.name === 'blockquote' && element.attribs.type?.toLowerCase() === 'cite',
  // Outlook desktop, Outlook on the web, new Outlook
  (element) => ['divrplyfwdmsg', 'appendonsend', 'mail-editor-reference-message-container'].includes(element.attribs.id?.toLowerCase() ?? ''),
  (element) => hasClass(element, 'OutlookMessageHeader'),
  // Yahoo
  (element) => hasClass(element, 'yahoo_quoted'),
];

function hasClass(element: Element, name: string): boolean {
  return (element.attribs.class ?? '').split(/\s+/).includes(name);
}

/** The HTML split at the first fold marker: that element and everything after it in the document are folded. */
export function foldHtml(html: string): FoldedText {
  const document = parseDocument(html);
  const marker = findOne((element) => HTML_FOLD_MARKERS.some((isMarker) => isMarker(element)), document.children, true);
  if (!marker) return { visible: html, folded: '' };
  const after: AnyNode[] = [];
  for (let node: AnyNode | null = marker, first = true; node && node !== document; node = node.parent, first = false) {
    for (let sibling: AnyNode | null = first ? node : node.next; sibling; sibling = sibling.next) after.push(sibling);
  }
  const folded = render(after);
  for (const node of after) removeElement(node);
  return { visible: render(document), folded };
}
