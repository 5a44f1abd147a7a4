import { fileTypeFromBuffer } from 'file-type';

/** How much of the start of an upload is held back and examined before any byte is stored. */
export const SNIFF_BYTES = 64 * 1024;
/** How much of a text file must be clean UTF-8 without markup. */
export const TEXT_CHECK_BYTES = 8 * 1024;

const OOXML_WORD = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const OOXML_SHEET = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const OOXML_SLIDES = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const ZIP = 'application/zip';

/**
 * Extensions accepted, each with the types the content may sniff as. Office documents are zip
 * containers: when the sniffer cannot see far enough into one to name it, it is accepted as the zip
 * it certainly is. Executables, scripts, markup (HTML, SVG, XML) and compound-file formats (.doc,
 * .xls, .msg: indistinguishable from .msi by their bytes) are left out.
 */
const SNIFFED_TYPES: Readonly<Record<string, readonly string[]>> = {
  pdf: ['application/pdf'],
  png: ['image/png', 'image/apng'],
  jpg: ['image/jpeg'],
  jpeg: ['image/jpeg'],
  gif: ['image/gif'],
  webp: ['image/webp'],
  bmp: ['image/bmp'],
  tif: ['image/tiff'],
  tiff: ['image/tiff'],
  zip: [ZIP],
  docx: [OOXML_WORD, ZIP],
  xlsx: [OOXML_SHEET, ZIP],
  pptx: [OOXML_SLIDES, ZIP],
  odt: ['application/vnd.oasis.opendocument.text', ZIP],
  ods: ['application/vnd.oasis.opendocument.spreadsheet', ZIP],
  odp: ['application/vnd.oasis.opendocument.presentation', ZIP],
};

/** Text formats have no magic bytes: their content is checked instead, and stored under these types. */
const TEXT_TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  eml: 'message/rfc822',
};

export const ACCEPTED_EXTENSIONS: readonly string[] = [...Object.keys(SNIFFED_TYPES), ...Object.keys(TEXT_TYPES)];

// What browsers sniff as HTML or XML (the WHATWG MIME sniffing patterns), plus SVG and other active elements.
const LEADING_MARKUP =
  /^<(?:!doctype|!--|\?xml|(?:html|head|body|script|iframe|svg|math|xml|style|title|h1|div|font|table|a|b|br|p|img|object|embed|meta|link|form)(?=[\s>/]|$))/i;
const LEADING_BOM_AND_WHITESPACE = /^[\uFEFF\s]+/;
const strictUtf8 = () => new TextDecoder('utf-8', { fatal: true });

export type Screening = { accepted: true; contentType: string } | { accepted: false; reason: string };

/** The extension as it decides acceptance: lowercased, without the dot; '' when there is none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}

/**
 * Decides from a (sanitized) file name and the first bytes of the content whether a file may be
 * stored, and under which content type: the sniffed type, never the one the client declared, so a
 * polyglot is served as what its bytes say it is.
 */
export async function screenFile(filename: string, head: Uint8Array): Promise<Screening> {
  const extension = extensionOf(filename);
  if (extension === '') return { accepted: false, reason: `Files without an extension are not accepted; accepted: ${ACCEPTED_EXTENSIONS.join(', ')}` };
  const sniffable = SNIFFED_TYPES[extension];
  const textType = TEXT_TYPES[extension];
  if (!sniffable && !textType) return { accepted: false, reason: `Files with the .${extension} extension are not accepted; accepted: ${ACCEPTED_EXTENSIONS.join(', ')}` };

  const mismatch: Screening = { accepted: false, reason: `The file content does not match its .${extension} extension` };
  const sniffed = (await fileTypeFromBuffer(head.subarray(0, SNIFF_BYTES)))?.mime;
  if (sniffable) return sniffed && sniffable.includes(sniffed) ? { accepted: true, contentType: sniffed } : mismatch;

  // Any recognised binary signature in a text file means it is something else in disguise.
  if (sniffed) return mismatch;
  const problem = textProblem(head.subarray(0, TEXT_CHECK_BYTES));
  return problem ? { accepted: false, reason: `A .${extension} file ${problem}` } : { accepted: true, contentType: textType! };
}

/** Why the start of a text file is refused, or undefined when it is plain UTF-8 text. */
function textProblem(start: Uint8Array): string | undefined {
  if (start.includes(0)) return 'must be text, but contains NUL bytes';
  let text: string;
  try {
    // stream: a character cut in two at the end of the sample is not an error.
    text = strictUtf8().decode(start, { stream: true });
  } catch {
    return 'must be UTF-8 text';
  }
  if (LEADING_MARKUP.test(text.replace(LEADING_BOM_AND_WHITESPACE, ''))) return 'must not start with HTML, SVG or XML markup';
  return undefined;
}
