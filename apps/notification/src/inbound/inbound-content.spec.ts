import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { mailFixture, withHeaders } from '../testing/mail-fixtures.js';
import { ccOf, headerRecipients, messageIdOf, referencedMessageIds, senderOf, subjectOf, subjectTicketNumber } from './inbound-content.js';

const plain = (body: string, headers: Record<string, string | null> = {}) =>
  withHeaders(`From: Tom <tom@example.net>\r\nSubject: Hi\r\nMessage-ID: <m1@example.net>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${body}`, headers);

describe('what a received message becomes', () => {
  it('reads the sender with its display name, and the subject', async () => {
    const parsed = await simpleParser(mailFixture('gmail-new-request.eml'));
    expect(senderOf(parsed)).toEqual({ email: 'maria.lopez@example.org', name: 'Maria Lopez' });
    expect(subjectOf(parsed)).toBe('Printer on the 2nd floor prints blank pages');
  });

  it('reads the ids a reply answers, In-Reply-To first, then References newest first', async () => {
    const parsed = await simpleParser(plain('x', { 'In-Reply-To': '<c@x>', References: '<a@x> <b@x> <c@x>' }));
    expect(referencedMessageIds(parsed)).toEqual(['<c@x>', '<b@x>', '<a@x>']);
  });

  it('mints a stable Message-ID from the bytes when the message has none', async () => {
    const raw = plain('no id', { 'Message-ID': null });
    const first = messageIdOf(await simpleParser(raw), Buffer.from(raw));
    expect(first).toMatch(/^<sha256-[0-9a-f]{64}@inbound\.invalid>$/);
    expect(messageIdOf(await simpleParser(raw), Buffer.from(raw))).toBe(first);
  });

  it('finds the [#number] subject tag and gives an empty subject a placeholder', async () => {
    expect(subjectTicketNumber('Re: [#42] Printer')).toBe(42);
    expect(subjectTicketNumber('Re: #42 Printer')).toBeUndefined();
    expect(subjectOf(await simpleParser(plain('x', { Subject: '' })))).toBe('(no subject)');
  });

  it('reads the addresses a message came to from To, Cc, Delivered-To and X-Original-To (groups opened, lower case, each once), and the Cc with names', async () => {
    const parsed = await simpleParser(
      plain('Hi', {
        To: 'Team: Help <Help+Tok@Acme.test>, other@example.net;',
        Cc: '"Col, League" <col@example.org>, COL@example.org, dee@example.org',
        'Delivered-To': 'help+tok@acme.test',
        'X-Original-To': 'alias@acme.test',
      }),
    );

    expect(headerRecipients(parsed)).toEqual(['help+tok@acme.test', 'other@example.net', 'col@example.org', 'dee@example.org', 'alias@acme.test']);
    expect(ccOf(parsed)).toEqual([{ email: 'col@example.org', name: 'Col, League' }, { email: 'dee@example.org' }]);
  });
});
