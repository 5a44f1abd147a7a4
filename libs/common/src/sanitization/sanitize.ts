import sanitizeHtml from 'sanitize-html';

/** Markup a ticket description or comment may keep; any other tag is dropped and its text kept. */
export const RICH_TEXT_ALLOWED_TAGS: readonly string[] = [
  'p', 'br', 'hr', 'b', 'strong', 'i', 'em', 'u', 's', 'del', 'blockquote', 'code', 'pre', 'ul', 'ol', 'li',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
  // details/summary fold the quoted history of a mail; img shows only the ticket's own attachments (ATTACHMENT_IMAGE_SRC).
  'details', 'summary', 'img',
];

/**
 * The only image source rich text may keep: an attachment of the platform, read through the gateway
 * with the viewer's own rights (inline `cid:` images of inbound mail). Remote images (tracking pixels) are dropped.
 */
export const ATTACHMENT_IMAGE_SRC = /^\/api\/v1\/attachments\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The path an attachment is downloaded from, as rich text may reference it in an image. */
export function attachmentPath(attachmentId: string): string {
  return `/api/v1/attachments/${attachmentId}`;
}

export const ALLOWED_URL_SCHEMES: readonly string[] = ['http', 'https', 'mailto'];

/** Elements whose content is code, another document or foreign markup, never readable text: dropped whole. */
export const CONTENT_DROPPED_TAGS: readonly string[] = [
  'script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'noembed', 'noframes', 'template',
  'iframe', 'object', 'applet', 'svg', 'math', 'title', 'plaintext',
];

export const LINK_REL = 'noopener noreferrer nofollow';

export const MAX_FILENAME_BYTES = 255;

export interface PlainTextOptions {
  /** Keep line feeds and tabs (comment-like fields) instead of folding all whitespace into single spaces. */
  multiline?: boolean;
}

// C0 and C1 controls and DEL, except tab and line feed, which carry layout.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const CARRIAGE_RETURNS = /\r\n?/g;
const WHITESPACE_RUNS = /\s+/g;

// A '<' that could open a tag (in HTML or XML, hence any letter), comment or processing instruction becomes '‹', so the text still reads the same.
const MARKUP_OPENER = /<(?=[\p{L}/!?])/gu;
const MARKUP_OPENER_REPLACEMENT = '\u2039';

// The only entities sanitize-html writes; decoded in one pass so '&amp;lt;' becomes '&lt;', not '<'.
const SANITIZER_ENTITIES = /&(?:amp|lt|gt|quot|#39);/g;
const DECODED_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

const ALL_CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/g;
const PATH_SEPARATORS = /[/\\]/;
const FILESYSTEM_RESERVED_CHARACTERS = /[<>:"|?*]/g;
// Bidirectional overrides let 'invoice\u202Efdp.exe' display as 'invoiceexe.pdf'.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LEADING_DOTS_DASHES_SPACES = /^[\s.-]+/;
// The lookbehind makes the engine try only the start of each run, keeping a long run of dots linear rather than quadratic.
const TRAILING_DOTS_SPACES = /(?<![\s.])[\s.]+$/;
// Windows reserves device names whatever the extension; the superscript digits count as digits there too.
const WINDOWS_RESERVED_NAME = /^(?:con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(?:\.|$)/i;
// A longer suffix is not an extension anyone relies on, so it is cut like the rest of the name.
const MAX_EXTENSION_BYTES = 32;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

// Browsers silently drop these inside URLs, which is what 'java\tscript:' style obfuscation relies on.
const URL_WHITESPACE_OR_CONTROL = /[\s\u0000-\u001F\u007F-\u009F]/;
// Without '//', a page on the same scheme resolves 'https:example.com' relative to itself.
const HTTP_WITH_AUTHORITY = /^https?:\/\//i;

const RICH_TEXT_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...RICH_TEXT_ALLOWED_TAGS],
  // rel and target pass only because toSafeLink overwrites whatever the author wrote.
  allowedAttributes: { a: ['href', 'title', 'rel', 'target'], img: ['src', 'alt'] },
  allowedSchemes: [...ALLOWED_URL_SCHEMES],
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: [...CONTENT_DROPPED_TAGS],
  // Entities such as '&#1;' decode to control characters after the input itself was cleaned.
  textFilter: (text) => removeControlCharacters(text),
  transformTags: { a: toSafeLink },
  exclusiveFilter: (frame) => frame.tag === 'img' && !ATTACHMENT_IMAGE_SRC.test(frame.attribs.src ?? ''),
};

const PLAIN_TEXT_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  disallowedTagsMode: 'discard',
  nonTextTags: [...CONTENT_DROPPED_TAGS],
};

/** Ticket descriptions and comments: allow-listed HTML, links forced to open safely in a new tab. */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(removeControlCharacters(html), RICH_TEXT_OPTIONS).trim();
}

/** Subjects, names, tags: the human-readable text with every piece of markup removed. */
export function stripToPlainText(value: string, options: PlainTextOptions = {}): string {
  const text = removeControlCharacters(decodeSanitizerEntities(sanitizeHtml(removeControlCharacters(value), PLAIN_TEXT_OPTIONS)));
  const spaced = options.multiline ? text : text.replace(WHITESPACE_RUNS, ' ');
  return spaced.normalize('NFC').replace(MARKUP_OPENER, MARKUP_OPENER_REPLACEMENT).trim();
}

/** Attachment names: one safe segment for every common filesystem, at most 255 UTF-8 bytes, never empty. */
export function sanitizeFilename(name: string): string {
  // Tabs and line breaks read as spaces; the remaining controls go before splitting so none can hide a segment.
  const visible = name.normalize('NFC').replace(WHITESPACE_RUNS, ' ').replace(ALL_CONTROL_CHARACTERS, '').replace(BIDI_CONTROLS, '');
  const lastSegment = visible.split(PATH_SEPARATORS).filter((segment) => segment.trim() !== '').at(-1) ?? '';
  const cleaned = lastSegment
    .replace(FILESYSTEM_RESERVED_CHARACTERS, '')
    .replace(WHITESPACE_RUNS, ' ')
    .replace(LEADING_DOTS_DASHES_SPACES, '')
    .replace(TRAILING_DOTS_SPACES, '');
  if (cleaned === '') return 'file';
  return capFilenameBytes(WINDOWS_RESERVED_NAME.test(cleaned) ? `_${cleaned}` : cleaned);
}

/** Only absolute http(s) and mailto URLs, written plainly enough that a browser reads them the same way. */
export function isSafeUrl(url: string): boolean {
  if (URL_WHITESPACE_OR_CONTROL.test(url) || !URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  if (protocol === 'mailto:') return true;
  return (protocol === 'http:' || protocol === 'https:') && HTTP_WITH_AUTHORITY.test(url);
}

/** Emails compare case-insensitively across the platform, so one canonical spelling is stored. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase().normalize('NFC');
}

function removeControlCharacters(value: string): string {
  return value.replace(CARRIAGE_RETURNS, '\n').replace(CONTROL_CHARACTERS, '');
}

function decodeSanitizerEntities(value: string): string {
  return value.replace(SANITIZER_ENTITIES, (entity) => DECODED_ENTITIES[entity] ?? entity);
}

// Rebuilt rather than patched, so user-supplied rel and target never survive and attributes keep one order across passes.
function toSafeLink(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const link: sanitizeHtml.Attributes = {};
  // Browsers strip surrounding whitespace from href too, so trimming keeps the link's meaning.
  const href = attribs.href?.trim();
  if (href !== undefined && isSafeUrl(href)) link.href = href;
  if (attribs.title !== undefined) link.title = removeControlCharacters(attribs.title);
  return { tagName, attribs: { ...link, rel: LINK_REL, target: '_blank' } };
}

function capFilenameBytes(name: string): string {
  if (utf8Length(name) <= MAX_FILENAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && utf8Length(name.slice(dot)) <= MAX_EXTENSION_BYTES ? name.slice(dot) : '';
  const stem = truncateToBytes(name.slice(0, name.length - extension.length), MAX_FILENAME_BYTES - utf8Length(extension));
  return stem.replace(TRAILING_DOTS_SPACES, '') + extension;
}

// Cuts between grapheme clusters, so neither a multi-byte character nor an emoji sequence is split.
function truncateToBytes(value: string, maxBytes: number): string {
  let kept = '';
  let keptBytes = 0;
  for (const { segment } of graphemes.segment(value)) {
    const segmentBytes = utf8Length(segment);
    if (keptBytes + segmentBytes > maxBytes) break;
    kept += segment;
    keptBytes += segmentBytes;
  }
  return kept;
}

function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}
