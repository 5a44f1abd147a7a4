import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { mailFixture, withHeaders } from '../testing/mail-fixtures.js';
import { mailBody } from './mail-body.js';

const ATTACHMENT_ID = '0190a0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b';
const nothingKept = { refused: [], inlineImages: new Map() };

const plain = (body: string) => withHeaders(`From: Tom <tom@example.net>\r\nSubject: Hi\r\nMessage-ID: <m1@example.net>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${body}`, {});
const html = (body: string) => withHeaders(`From: Tom <tom@example.net>\r\nSubject: Hi\r\nMessage-ID: <m1@example.net>\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n${body}`, {});

describe('the body a received message becomes', () => {
  it('takes the sanitized HTML part when there is one', async () => {
    const body = mailBody(await simpleParser(mailFixture('gmail-new-request.eml')), nothingKept);
    expect(body).toContain('<b>2nd floor</b>');
    expect(body).not.toMatch(/<script|onerror/);
  });

  it('turns plain text into escaped paragraphs, line breaks kept, markup shown as text', async () => {
    const body = mailBody(await simpleParser(plain('Line one\r\nline <b>two</b>\r\n\r\nSecond & last')), nothingKept);
    expect(body).toBe('<p>Line one<br>line &lt;b&gt;two&lt;/b&gt;</p><p>Second &amp; last</p>');
  });

  it('keeps a body within the 64 KiB of a comment, and never answers an empty one', async () => {
    expect(mailBody(await simpleParser(plain(`${'<&>'.repeat(40_000)}`)), nothingKept).length).toBeLessThanOrEqual(65_536);
    expect(mailBody(await simpleParser(plain('')), nothingKept)).toBe('<p>(empty message)</p>');
  });

  it('folds the quoted history and the signature of a plain-text reply into a closed <details>, keeping them', async () => {
    const body = mailBody(await simpleParser(plain('Works now, thanks.\r\n\r\n-- \r\nAnna Smith\r\nACME\r\n\r\nOn Tue, 3 Dec 2026 at 10:00, Support <help@acme.test> wrote:\r\n> Please restart it.\r\n')), nothingKept);
    expect(body).toMatch(/^<p>Works now, thanks.<\/p><details><summary>Quoted text<\/summary>.*Anna Smith.*Please restart it.*<\/details>$/s);
  });

  it('folds HTML from the client\'s quote marker on (Gmail), and shows everything when all of it is quoted', async () => {
    const reply = mailBody(await simpleParser(html('<div>New words</div><div class="gmail_quote"><div>On Mon wrote:</div><blockquote>old words</blockquote></div><p>after</p>')), nothingKept);
    expect(reply).toBe('New words<details><summary>Quoted text</summary>On Mon wrote:<blockquote>old words</blockquote><p>after</p></details>');
    const onlyQuote = mailBody(await simpleParser(html('<blockquote type="cite">only old words</blockquote>')), nothingKept);
    expect(onlyQuote).toBe('<blockquote>only old words</blockquote>');
  });

  it('keeps the quoted part of a forward in view: it is what the sender wants read', async () => {
    const forward = withHeaders(html('<div>FYI</div><div class="gmail_quote"><div>---------- Forwarded message ---------</div><div>The order is stuck.</div></div>'), { Subject: 'Fwd: Order 5512' });
    expect(mailBody(await simpleParser(forward), nothingKept)).toBe('FYI---------- Forwarded message ---------The order is stuck.');
  });

  it('shows a stored inline image in place and drops images from anywhere else', async () => {
    const inlineImages = new Map([['logo@x', { src: `/api/v1/attachments/${ATTACHMENT_ID}`, filename: 'logo.png' }]]);
    const body = mailBody(await simpleParser(html('<p>See <img src="cid:logo@x"> and <img src="https://tracker.example/p.gif"> and <img src="cid:unknown@x"></p>')), { refused: [], inlineImages });
    expect(body).toBe(`<p>See <img src="/api/v1/attachments/${ATTACHMENT_ID}" alt="logo.png" /> and  and </p>`);
  });

  it('names each refused attachment with its reason', async () => {
    const body = mailBody(await simpleParser(plain('See attached')), { refused: [{ filename: 'setup<1>.exe', reason: 'Files with the .exe extension are not accepted' }], inlineImages: new Map() });
    expect(body).toBe('<p>See attached</p><p><em>Attachment not accepted: setup&lt;1&gt;.exe (Files with the .exe extension are not accepted)</em></p>');
  });

  it('names the first 20 refused attachments and counts the rest', async () => {
    const refused = Array.from({ length: 250 }, (_, index) => ({ filename: `part-${index}.exe`, reason: 'Files with the .exe extension are not accepted' }));
    const body = mailBody(await simpleParser(plain('Many parts')), { refused, inlineImages: new Map() });
    expect(body.match(/Attachment not accepted: part-\d+\.exe/g)).toHaveLength(20);
    expect(body).toMatch(/<p><em>230 more attachments not accepted<\/em><\/p>$/);
  });
});
