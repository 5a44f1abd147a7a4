import { describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../mail/mail-transport.js';
import { redactMail, redactSecrets, REDACTED, WITHHELD_LINK } from './dead-letter-redaction.js';

const mail = (overrides: Partial<OutgoingMail>): OutgoingMail => ({ to: 'nina@example.com', subject: 'Hello', text: '', html: '', messageId: '<m@helpdesk.test>', ...overrides });

describe('dead-letter redaction', () => {
  it("names an account mail's link placeholder as withheld, in text and HTML, and says so", () => {
    const placeholder = 'account-link-0123456789abcdef';
    const redacted = redactMail(
      mail({
        text: `Accept the invitation: ${placeholder}\n`,
        html: `<p><a href="${placeholder}">Accept the invitation</a></p>`,
        accountLink: { purpose: 'invitation', userId: '0190a1b2-0000-7000-8000-000000000001', placeholder },
      }),
    );

    expect(redacted.value.text).toBe(`Accept the invitation: ${WITHHELD_LINK}\n`);
    expect(redacted.value.html).toBe(`<p><a href="${WITHHELD_LINK}">Accept the invitation</a></p>`);
    expect(JSON.stringify(redacted.value)).not.toContain(placeholder);
    expect(redacted.redacted).toBe(true);
  });

  it('masks token-bearing links of every kind, in plain text and escaped HTML, and leaves ordinary links alone', () => {
    const text = [
      'https://help.example.test/reset-password?token=Zm9vYmFyYmF6cXV4',
      'https://help.example.test/accept-invite?lang=en&amp;token=c2VjcmV0LXRva2Vu',
      'https://help.example.test/rate/eyJ0aWNrZXQiOiIxIn0.c2ln',
      'https://hooks.example.test/x?signature=abc123&keep=yes',
      'https://help.example.test/tickets/0190a1b2-0000-7000-8000-000000000001',
    ].join('\n');

    const { value, redacted } = redactSecrets(text);

    expect(value.split('\n')).toEqual([
      `https://help.example.test/reset-password?token=${REDACTED}`,
      `https://help.example.test/accept-invite?lang=en&amp;token=${REDACTED}`,
      `https://help.example.test/rate/${REDACTED}`,
      `https://hooks.example.test/x?signature=${REDACTED}&keep=yes`,
      'https://help.example.test/tickets/0190a1b2-0000-7000-8000-000000000001',
    ]);
    for (const secret of ['Zm9vYmFyYmF6cXV4', 'c2VjcmV0LXRva2Vu', 'eyJ0aWNrZXQiOiIxIn0', 'abc123']) expect(value).not.toContain(secret);
    expect(redacted).toBe(true);
  });

  it('reports nothing redacted for a ticket mail without secrets', () => {
    const plain = mail({ subject: 'Re: [#12] VPN', text: 'Open ticket #12: https://help.example.test/tickets/abc', html: '<p>Hi</p>' });

    expect(redactMail(plain)).toEqual({ value: { subject: plain.subject, text: plain.text, html: plain.html }, redacted: false });
  });
});
