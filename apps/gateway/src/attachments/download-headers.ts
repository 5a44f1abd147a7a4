/**
 * Headers of an attachment download: always saved as a file, never rendered or sniffed by the
 * browser, never cached, and sandboxed should a browser display it anyway.
 */
export function downloadHeaders(filename: string, contentType: string, size: number): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Length': String(size),
    'Content-Disposition': attachmentDisposition(filename),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
}

/** `attachment` with an ASCII fallback name for old clients and the exact name in RFC 5987 form (RFC 6266). */
export function attachmentDisposition(filename: string): string {
  return `attachment; filename="${asciiFallback(filename)}"; filename*=UTF-8''${rfc5987(filename)}`;
}

// Accents are dropped ("résumé" -> "resume"); other non-ASCII characters, quotes, backslashes and '%'
// (which some clients decode) become '_', so the quoted string needs no escaping.
function asciiFallback(filename: string): string {
  return filename
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/gu, '_');
}

// encodeURIComponent leaves ' ( ) * unescaped, which RFC 5987's attr-char does not allow.
function rfc5987(filename: string): string {
  return encodeURIComponent(filename).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}
