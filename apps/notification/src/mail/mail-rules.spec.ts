import { describe, expect, it } from 'vitest';
import { agentReplyMail, escapeHtml, htmlToText, ticketCreatedMail } from './mail-templates.js';
import { isPermanentSmtpFailure, retryDelay } from './mail-retry.js';
import { evictionWarning } from './redis-eviction.check.js';
import { deliveryKey, mailDomain, messageIdFor, ticketThreadId } from './threading.js';

const context = {
  organizationName: 'Acme <Support> & Co',
  recipientName: '"Bobby" <script>alert(1)</script>',
  ticket: { number: 42, subject: 'Broken <b>printer</b>' },
  ticketUrl: 'https://help.example.test/tickets/1?a=1&b=2',
};

describe('mail templates', () => {
  it('escapes every piece of user content in the HTML part', () => {
    const mail = ticketCreatedMail(context);
    expect(mail.html).not.toMatch(/<script|<b>|<Support>/);
    expect(mail.html).toContain('Hello &quot;Bobby&quot; &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(mail.html).toContain('Acme &lt;Support&gt; &amp; Co');
    expect(mail.html).toContain('href="https://help.example.test/tickets/1?a=1&amp;b=2"');
    expect(mail.subject).toBe('We received your request #42: Broken <b>printer</b>');
  });

  it("keeps the reply's safe markup in HTML, drops anything unsafe, and gives a readable text version", () => {
    const mail = agentReplyMail({ ...context, authorName: 'Ann Agent', replyHtml: '<p>Try <em>this</em> &amp; that</p><script>steal()</script><p>Bye<br>Ann</p>' });
    expect(mail.html).toContain('<p>Try <em>this</em> &amp; that</p>');
    expect(mail.html).not.toContain('steal()');
    expect(mail.text).toContain('Try this & that\nBye\nAnn');
    expect(mail.text).not.toContain('steal()');
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('reads sanitized HTML as lines of text', () => {
    expect(htmlToText('<h1>Title</h1><ul><li>one</li><li>two &lt;3</li></ul>')).toBe('Title\none\ntwo <3');
  });
});

describe('mail retries', () => {
  it('doubles the delay on every retry, with up to half of it random', () => {
    expect([1, 2, 3].map((retry) => retryDelay(retry, 1_000, () => 0))).toEqual([500, 1_000, 2_000]);
    expect([1, 2, 3].map((retry) => retryDelay(retry, 1_000, () => 1))).toEqual([1_000, 2_000, 4_000]);
  });

  it('treats 5xx SMTP replies as permanent and everything else as worth retrying', () => {
    expect(isPermanentSmtpFailure(Object.assign(new Error('rejected'), { responseCode: 550 }))).toBe(true);
    expect(isPermanentSmtpFailure(Object.assign(new Error('busy'), { responseCode: 421 }))).toBe(false);
    expect(isPermanentSmtpFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

describe('mail threading', () => {
  it('derives one stable key per event, recipient and template', () => {
    expect(deliveryKey('e1', 'Ann@Example.com', 'ticket-created')).toBe(deliveryKey('e1', 'ann@example.com', 'ticket-created'));
    expect(deliveryKey('e1', 'ann@example.com', 'ticket-created')).not.toBe(deliveryKey('e1', 'ann@example.com', 'agent-reply'));
  });

  it('mints ids under the domain of the sender address', () => {
    const domain = mailDomain('Acme Support <help@Mail.Acme.test>');
    expect(domain).toBe('mail.acme.test');
    expect(messageIdFor('abc', domain)).toBe('<abc@mail.acme.test>');
    expect(ticketThreadId('t1', mailDomain('help@acme.test'))).toBe('<ticket-t1@acme.test>');
  });
});

describe('Redis eviction policy', () => {
  it('warns unless Redis never evicts keys', () => {
    expect(evictionWarning('noeviction')).toBeUndefined();
    expect(evictionWarning('allkeys-lru')).toContain('"allkeys-lru", not "noeviction"');
  });
});
