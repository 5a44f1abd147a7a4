import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyInboundMail } from './mail-classification.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'mail', 'noise');

async function classify(file: string) {
  return classifyInboundMail(await simpleParser(readFileSync(join(FIXTURES, file)), { keepDeliveryStatus: true }));
}

describe('classifyInboundMail', () => {
  it('reads a Postfix delivery-status report: a bounce naming only the recipient that failed for good', async () => {
    expect(await classify('bounce-postfix.eml')).toEqual({
      kind: 'bounce',
      suppressReplies: true,
      reason: 'Content-Type: multipart/report; report-type=delivery-status',
      failedRecipients: ['gone@example.test'],
    });
  });

  it.each([
    ['out-of-office-outlook.eml', 'auto-reply', 'Auto-Submitted: auto-generated'],
    ['vacation-x-autoreply.eml', 'auto-reply', 'X-Autoreply: yes'],
    ['mailing-list.eml', 'list', 'Precedence: list'],
    ['bulk-newsletter.eml', 'bulk', 'Precedence: bulk'],
    ['postmaster-notice.eml', 'system', 'From: postmaster@mail.customer.test'],
  ])('never answers %s (%s)', async (file, kind, reason) => {
    expect(await classify(file)).toEqual({ kind, suppressReplies: true, reason, failedRecipients: [] });
  });

  it('treats a person’s mail as personal, also with Auto-Submitted: no and an unusual Precedence', async () => {
    expect(await classify('personal.eml')).toEqual({ kind: 'personal', suppressReplies: false, reason: null, failedRecipients: [] });
  });

  it('recognises list mail by List-Id alone, and a bounce even from a sender that is not MAILER-DAEMON', async () => {
    const listOnly = await simpleParser('From: a@lists.test\r\nTo: support@acme.test\r\nList-Id: <x.lists.test>\r\nSubject: s\r\n\r\nbody\r\n');
    expect(classifyInboundMail(listOnly)).toMatchObject({ kind: 'list', reason: 'List-Id: <x.lists.test>' });
    const bounce = readFileSync(join(FIXTURES, 'bounce-postfix.eml'), 'utf8').replace('From: MAILER-DAEMON@mx.example.test (Mail Delivery System)', 'From: Mail System <bounces@mx.example.test>');
    expect(classifyInboundMail(await simpleParser(bounce, { keepDeliveryStatus: true }))).toMatchObject({ kind: 'bounce', failedRecipients: ['gone@example.test'] });
  });
});
