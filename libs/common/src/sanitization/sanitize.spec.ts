import { describe, expect, it } from 'vitest';
import { isSafeUrl, normalizeEmail, sanitizeFilename, sanitizeRichText, stripToPlainText } from './sanitize.js';
import { XSS_PAYLOADS } from './xss-corpus.js';

const FORBIDDEN_ELEMENTS = /<(?:script|svg|math|iframe|object|embed|style|img(?! src="\/api\/v1\/attachments\/[0-9a-f-]{36}")|form|meta|base|template|noscript)/i;
const EVENT_HANDLER_ATTRIBUTE = /\son[a-z]+\s*=/i;
const URL_ATTRIBUTE = /\s(?:[a-z-]+:)?(?:href|src|action|formaction|data|poster|background)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const DANGEROUS_SCHEME = /(?:javascript|vbscript|data):/i;
const HREF_VALUE = /\shref="([^"]*)"/g;
const MARKUP_IN_TEXT = /<[\p{L}/!?]/u;
const SAFE_LINK_ATTRIBUTES = 'rel="noopener noreferrer nofollow" target="_blank"';

function urlAttributeValues(html: string): string[] {
  // Browsers ignore whitespace and control characters inside a scheme, so the check ignores them too.
  return [...html.matchAll(URL_ATTRIBUTE)].map((match) => (match[1] ?? match[2] ?? match[3] ?? '').replace(/[\s\u0000-\u001F\u007F-\u009F]/g, ''));
}

function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

describe('XSS corpus', () => {
  it('holds enough real-world vectors to be worth running', () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(XSS_PAYLOADS).size).toBe(XSS_PAYLOADS.length);
  });
});

describe('sanitizeRichText against the XSS corpus', () => {
  it.each(XSS_PAYLOADS)('leaves no dangerous element in %j', (payload) => {
    expect(sanitizeRichText(payload)).not.toMatch(FORBIDDEN_ELEMENTS);
  });

  it.each(XSS_PAYLOADS)('leaves no event handler or style attribute in %j', (payload) => {
    const sanitized = sanitizeRichText(payload);
    expect(sanitized).not.toMatch(EVENT_HANDLER_ATTRIBUTE);
    expect(sanitized).not.toMatch(/style\s*=/i);
  });

  it.each(XSS_PAYLOADS)('leaves no script-capable URL in %j', (payload) => {
    const sanitized = sanitizeRichText(payload);
    for (const url of urlAttributeValues(sanitized)) expect(url).not.toMatch(DANGEROUS_SCHEME);
    for (const [, href] of sanitized.matchAll(HREF_VALUE)) expect(href).toMatch(/^(?:https?:\/\/|mailto:)/i);
  });

  it.each(XSS_PAYLOADS)('is stable when sanitized again: %j', (payload) => {
    const sanitized = sanitizeRichText(payload);
    expect(sanitizeRichText(sanitized)).toBe(sanitized);
  });
});

describe('stripToPlainText against the XSS corpus', () => {
  it.each(XSS_PAYLOADS)('leaves nothing that opens markup in %j', (payload) => {
    expect(stripToPlainText(payload)).not.toMatch(MARKUP_IN_TEXT);
    expect(stripToPlainText(payload, { multiline: true })).not.toMatch(MARKUP_IN_TEXT);
  });
});

describe('sanitizeRichText on legitimate content', () => {
  it.each([
    ['paragraphs and inline emphasis', '<p>Printer on <strong>floor 3</strong> is <em>jammed</em>, <b>again</b>.</p><p><i>i</i> <u>u</u> <s>s</s> <del>del</del> <span>span</span></p>'],
    ['lists', '<ul><li>Restart</li><li>Reinstall</li></ul><ol><li>First</li><li>Second</li></ol>'],
    ['headings, quotes and rules', '<h1>One</h1><h2>Two</h2><h3>Three</h3><h4>Four</h4><h5>Five</h5><h6>Six</h6><blockquote>Quoted reply</blockquote><hr /><p>line<br />break</p>'],
    ['tables', '<table><thead><tr><th>Agent</th><th>Open</th></tr></thead><tbody><tr><td>Ada</td><td>3</td></tr></tbody></table>'],
    ['escaped code', '<pre><code>if (a &lt; b &amp;&amp; c &gt; d) { return "&lt;div&gt;"; }</code></pre>'],
    ['emoji, right-to-left text and combining characters', '<p>Merci 🎉 — مرحبا بالعالم — שלום — cafe\u0301</p>'],
  ])('keeps %s unchanged', (_label, html) => {
    expect(sanitizeRichText(html)).toBe(html);
  });

  it('escapes a bare less-than sign inside a code block', () => {
    expect(sanitizeRichText('<pre><code>if (a < b) {}</code></pre>')).toBe('<pre><code>if (a &lt; b) {}</code></pre>');
  });

  it('makes https and mailto links open in a new tab without referrer or opener', () => {
    expect(sanitizeRichText('<a href="https://example.com/docs?a=1&amp;b=2" title="Docs">docs</a>')).toBe(
      `<a href="https://example.com/docs?a=1&amp;b=2" title="Docs" ${SAFE_LINK_ATTRIBUTES}>docs</a>`,
    );
    expect(sanitizeRichText('<a href="mailto:support@example.com">mail us</a>')).toBe(
      `<a href="mailto:support@example.com" ${SAFE_LINK_ATTRIBUTES}>mail us</a>`,
    );
  });

  it('drops relative and protocol-relative link targets but keeps the link text', () => {
    expect(sanitizeRichText('<a href="/admin/users/1/delete">click</a> <a href="//evil.example">here</a>')).toBe(
      `<a ${SAFE_LINK_ATTRIBUTES}>click</a> <a ${SAFE_LINK_ATTRIBUTES}>here</a>`,
    );
  });

  it('strips attributes from allowed tags', () => {
    expect(sanitizeRichText('<p class="lead" id="intro" dir="rtl">Hi</p><span style="color:red" data-x="1">x</span>')).toBe('<p>Hi</p><span>x</span>');
  });

  it('keeps the text of disallowed tags and drops the content of non-text ones', () => {
    expect(sanitizeRichText('<div><font color="red">Important</font></div><script>steal()</script><style>p{}</style>')).toBe('Important');
  });

  it('removes control characters but keeps line feeds and tabs', () => {
    expect(sanitizeRichText('<p>a\u0000b\u0007c\r\nd\te&#1;f</p>')).toBe('<p>abc\nd\tef</p>');
  });

  it('trims surrounding whitespace', () => {
    expect(sanitizeRichText('  \n<p>Hello</p>\n  ')).toBe('<p>Hello</p>');
  });

  it('handles a megabyte of input', () => {
    const html = '<p>Lorem <b>ipsum</b> dolor <a href="https://example.com">sit</a> amet.</p>\n'.repeat(15_000);
    const sanitized = sanitizeRichText(html);
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(sanitized.startsWith('<p>Lorem <b>ipsum</b> dolor <a href="https://example.com" ')).toBe(true);
    expect(sanitized.match(/<\/p>/g)).toHaveLength(15_000);
  });

  it('closes tags left open', () => {
    expect(sanitizeRichText('<ul><li><b>Unfinished item')).toBe('<ul><li><b>Unfinished item</b></li></ul>');
  });

  it("keeps an image only when it shows one of the platform's attachments, and keeps a <details> fold", () => {
    const attachment = '/api/v1/attachments/0190a0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b';
    expect(sanitizeRichText(`<img src="${attachment}" alt="logo" width="9" onerror="alert(1)">`)).toBe(`<img src="${attachment}" alt="logo" />`);
    for (const elsewhere of ['https://tracker.example/p.gif', `${attachment}?x=1`, `https://evil.example${attachment}`, '//evil.example/a.png', 'cid:logo@x', 'data:image/png;base64,AAAA']) {
      expect(sanitizeRichText(`<p>a<img src="${elsewhere}">b</p>`)).toBe('<p>ab</p>');
    }
    expect(sanitizeRichText('<details open><summary>Quoted text</summary><blockquote>old</blockquote></details>')).toBe('<details><summary>Quoted text</summary><blockquote>old</blockquote></details>');
  });
});

describe('stripToPlainText', () => {
  it.each([
    ['markup around text', '<p>Printer on <b>floor 3</b></p>', 'Printer on floor 3'],
    ['script content', '<script>alert(1)</script>VPN down', 'VPN down'],
    ['entities decoded back to the characters a person typed', 'Tom &amp; Jerry &quot;quoted&quot; it&#39;s 3 &gt; 2', 'Tom & Jerry "quoted" it\'s 3 > 2'],
    ['a less-than sign that cannot open a tag', 'a < b and 3 <= 4 <3', 'a < b and 3 <= 4 <3'],
    ['SQL-looking text', "'; DROP TABLE tickets; --", "'; DROP TABLE tickets; --"],
    ['a UNION injection attempt', "1' OR '1'='1' UNION SELECT password FROM users --", "1' OR '1'='1' UNION SELECT password FROM users --"],
    ['emoji and right-to-left text', 'Réseau 🚀 مرحبا שלום', 'Réseau 🚀 مرحبا שלום'],
    ['combining characters composed by NFC', 'cafe\u0301 n\u0303', 'caf\u00e9 \u00f1'],
    ['control characters', 'Sub\u0000ject\u0007 line\u009b', 'Subject line'],
    ['whitespace runs folded into one space', '  Broken\n\n laptop\t screen  ', 'Broken laptop screen'],
  ])('returns the human text for %s', (_label, input, expected) => {
    expect(stripToPlainText(input)).toBe(expected);
  });

  it("turns an entity-encoded tag's '<' into '‹' so it never parses as markup", () => {
    expect(stripToPlainText('&lt;img src=x onerror=alert(1)&gt; &lt;/p&gt; &lt;!-- &lt;?php')).toBe('‹img src=x onerror=alert(1)> ‹/p> ‹!-- ‹?php');
  });

  it("reads a raw '<' followed by a letter as the start of a tag and drops it, like any HTML parser", () => {
    expect(stripToPlainText('Mail from <ada@example.com> about x<y')).toBe('Mail from about x');
  });

  it('keeps line feeds and tabs in multiline mode', () => {
    expect(stripToPlainText('  First line\r\n\tindented\u0000\n\nlast  ', { multiline: true })).toBe('First line\n\tindented\n\nlast');
  });

  it('handles a megabyte of input', () => {
    const text = 'Lorem <i>ipsum</i> dolor sit amet. '.repeat(30_000);
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(stripToPlainText(text)).toBe('Lorem ipsum dolor sit amet. '.repeat(30_000).trim());
  });
});

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
    ['/var/www/uploads/../../etc/shadow', 'shadow'],
    ['C:\\Users\\ada\\Desktop\\report.pdf', 'report.pdf'],
    ['folder/report.pdf/', 'report.pdf'],
  ])('keeps only the last path segment of %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected);
  });

  it.each([
    ['inv\u0000oice\u001f\u007f.pdf', 'invoice.pdf'],
    ['Q1\tresults\r\nfinal.xlsx', 'Q1 results final.xlsx'],
    ['a<b>c:d"e|f?g*h.txt', 'abcdefgh.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  spaced     out   name.txt  ', 'spaced out name.txt'],
  ])('removes control, reserved and spoofing characters from %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected);
  });

  it.each([
    ['.htaccess', 'htaccess'],
    ['...env', 'env'],
    ['-rf', 'rf'],
    ['--help.txt', 'help.txt'],
    ['. - .bashrc', 'bashrc'],
    ['report.pdf. . .', 'report.pdf'],
  ])('strips leading dots and dashes and trailing dots and spaces from %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected);
  });

  it.each([
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['LPT1.log', '_LPT1.log'],
    ['nul.tar.gz', '_nul.tar.gz'],
    ['com9', '_com9'],
    ['Aux.', '_Aux'],
  ])('prefixes the Windows device name %j', (name, expected) => {
    expect(sanitizeFilename(name)).toBe(expected);
  });

  it.each(['CONSOLE.txt', 'contract.pdf', 'auxiliary.doc', 'LPT.log'])('leaves %j, which only resembles a device name, alone', (name) => {
    expect(sanitizeFilename(name)).toBe(name);
  });

  it.each(['報告書 2024.pdf', 'отчёт.docx', '😀 party.png', 'ملف.txt'])('keeps the unicode name %j', (name) => {
    expect(sanitizeFilename(name)).toBe(name);
  });

  it('normalizes to NFC', () => {
    expect(sanitizeFilename('cafe\u0301.txt')).toBe('caf\u00e9.txt');
  });

  it.each(['', '   ', '...', '../', '<>:"|?*', '\u0000\u0001'])('falls back to "file" when %j leaves nothing', (name) => {
    expect(sanitizeFilename(name)).toBe('file');
  });

  it.each([
    ['ASCII', `${'a'.repeat(300)}.pdf`, `${'a'.repeat(251)}.pdf`],
    ['two-byte characters', `${'é'.repeat(200)}.pdf`, `${'é'.repeat(125)}.pdf`],
    ['four-byte emoji', `${'😀'.repeat(100)}.png`, `${'😀'.repeat(62)}.png`],
    ['emoji sequences joined by ZWJ', `${'👨‍👩‍👧'.repeat(20)}.jpg`, `${'👨‍👩‍👧'.repeat(13)}.jpg`],
    ['no extension', 'b'.repeat(300), 'b'.repeat(255)],
    ['a suffix too long to be an extension', `a.${'b'.repeat(300)}`, `a.${'b'.repeat(253)}`],
  ])('caps a long name with %s to 255 UTF-8 bytes, keeping the extension', (_label, name, expected) => {
    const sanitized = sanitizeFilename(name);
    expect(sanitized).toBe(expected);
    expect(utf8Length(sanitized)).toBeLessThanOrEqual(255);
  });

  it('strips a trailing dot exposed by the byte cap', () => {
    expect(sanitizeFilename(`${'a'.repeat(254)}.${'b'.repeat(40)}`)).toBe('a'.repeat(254));
  });

  it.each(['../../etc/passwd', '.htaccess', 'con.txt', `${'é'.repeat(200)}.pdf`, ' -x. '])('is stable when applied again to %j', (name) => {
    const sanitized = sanitizeFilename(name);
    expect(sanitizeFilename(sanitized)).toBe(sanitized);
  });
});

describe('isSafeUrl', () => {
  it.each([
    'https://example.com',
    'http://example.com/path?q=1#section',
    'HTTPS://EXAMPLE.COM/Docs',
    'https://example.com:8443/tickets/42',
    'https://例え.jp/パス',
    'mailto:support@example.com',
    'mailto:support@example.com?subject=Printer%20jam',
  ])('accepts %j', (url) => {
    expect(isSafeUrl(url)).toBe(true);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    ' javascript:alert(1)',
    '\u0001javascript:alert(1)',
    '&#106;avascript:alert(1)',
    'javascript&colon;alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://example.com/file',
    'tel:+15551234567',
    '//evil.example/path',
    '/relative/path',
    'example.com',
    'https:example.com',
    'http://',
    ' https://example.com',
    'https://example.com\n',
    'https://exa mple.com',
    '',
  ])('rejects %j', (url) => {
    expect(isSafeUrl(url)).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['  Ada.Lovelace@Example.COM ', 'ada.lovelace@example.com'],
    ['SUPPORT+Tickets@HelpDesk.io', 'support+tickets@helpdesk.io'],
    ['JOSE\u0301@EXAMPLE.ES', 'jos\u00e9@example.es'],
    ['ÄRGER@Müller.DE', 'ärger@müller.de'],
    ['already@normal.com', 'already@normal.com'],
  ])('normalizes %j to %j', (email, expected) => {
    expect(normalizeEmail(email)).toBe(expected);
  });
});
