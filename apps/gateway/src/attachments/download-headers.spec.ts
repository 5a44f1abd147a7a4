import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from './download-headers.js';

describe('attachmentDisposition', () => {
  it('names an ASCII file the same way in both parameters', () => {
    expect(attachmentDisposition('invoice-2024.pdf')).toBe(`attachment; filename="invoice-2024.pdf"; filename*=UTF-8''invoice-2024.pdf`);
  });

  it('gives old clients an ASCII name and others the exact name, percent-encoded per RFC 5987', () => {
    expect(attachmentDisposition("résumé (final)'s.pdf")).toBe(`attachment; filename="resume (final)'s.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%28final%29%27s.pdf`);
    expect(attachmentDisposition('報告 🙂.txt')).toBe(`attachment; filename="__ _.txt"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20%F0%9F%99%82.txt`);
  });

  it('keeps quotes, backslashes and percent signs out of the quoted fallback', () => {
    expect(attachmentDisposition('50% "off" \\ now.txt')).toBe(`attachment; filename="50_ _off_ _ now.txt"; filename*=UTF-8''50%25%20%22off%22%20%5C%20now.txt`);
  });
});
