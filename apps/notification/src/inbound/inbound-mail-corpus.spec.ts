import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import type { AttachmentView, CommentView, InboundResultView, MailboxWithTokenView, Page, TicketView } from '@helpdesk/contracts';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { withHeaders } from '../testing/mail-fixtures.js';
import { NotificationHarness } from '../testing/notification-harness.js';

const FIXTURES = new URL('../../../../test/fixtures/mail/', import.meta.url);
const ATTACHMENT_IMAGE = /<img src="\/api\/v1\/attachments\/([0-9a-f-]{36})"/;

/** What one sample message must become: the ticket (or, for a reply, the comment on the sender's ticket) as an agent sees it. */
interface CorpusCase {
  fixture: string;
  /** A reply: the sender first opens a ticket, then this message answers it and must land there as a comment. */
  reply?: boolean;
  subject?: string;
  /** In the body as shown, outside the fold. */
  visible: string[];
  /** In the folded quoted history or signature (a closed <details>), not outside it. */
  folded?: string[];
  attachments?: Array<Pick<AttachmentView, 'filename' | 'contentType'>>;
  /** Named in the body as not accepted, with the reason. */
  refused?: Array<{ filename: string; reason: RegExp }>;
  inlineImage?: boolean;
  participants?: number;
}

const CORPUS: CorpusCase[] = [
  { fixture: 'gmail-new-request.eml', subject: 'Printer on the 2nd floor prints blank pages', visible: ['<b>2nd floor</b>', 'María'] },
  {
    fixture: 'gmail-inline-image.eml',
    subject: 'Error dialog when saving',
    visible: ['Hi, saving shows this dialog:'],
    folded: ['Lena Berg | Finance'],
    attachments: [{ filename: 'error.png', contentType: 'image/png' }],
    inlineImage: true,
  },
  {
    fixture: 'apple-mail-attachments.eml',
    subject: 'Rechnung für März',
    visible: ['anbei die Rechnung für März und der Screenshot.'],
    attachments: [
      { filename: 'Rechnung März 2026.pdf', contentType: 'application/pdf' },
      { filename: 'Bildschirmfoto 2026-12-01 um 11.19.58 – Fehler.png', contentType: 'image/png' },
    ],
    refused: [
      { filename: 'setup.exe', reason: /Files with the \.exe extension are not accepted/ },
      { filename: 'photo.png', reason: /The file content does not match its \.png extension/ },
    ],
  },
  { fixture: 'outlook-html-reply.eml', reply: true, visible: ['Still blank after the restart – the toner is new.', 'Peter'], folded: ['Please restart the printer.', 'Sent:'] },
  { fixture: 'thunderbird-reply.eml', reply: true, visible: ['It happened again at 11:58'], folded: ['We are looking'] },
  {
    fixture: 'thunderbird-forward.eml',
    subject: 'Fwd: Delivery failed for the invoice run',
    visible: ['See the forwarded report below'],
    attachments: [{ filename: 'Invoice run failed.eml', contentType: 'message/rfc822' }],
  },
  {
    fixture: 'gmail-forward-inline.eml',
    subject: 'Fwd: Your order 5512 could not be shipped',
    // A forward's quoted part is what the sender wants read: not folded.
    visible: ['Can you check this?', 'Forwarded message', 'The address of order 5512 is incomplete'],
  },
  { fixture: 'malformed-headers.eml', subject: 'Café order', visible: ['Order 7781 still shows as pending.'] },
  { fixture: 'many-recipients.eml', subject: 'Heating in the whole building is off', visible: ['The heating is off on every floor'], participants: 50 },
  { fixture: 'charset-iso-8859-2.eml', subject: 'Zażółć gęślą jaźń', visible: ['Dzień dobry, drukarka w pokoju 12 nie działa. Łódź, Kraków.'] },
  { fixture: 'charset-iso-8859-15.eml', subject: 'Facture 50 €', visible: ['la facture de 50 € est erronée. Œuvre, naïve.'] },
  { fixture: 'charset-windows-1252.eml', subject: 'Rückfrage „Angebot“', visible: ['Grüße aus Köln – das Angebot über 20 € ist „fast“ fertig.'] },
  { fixture: 'charset-windows-1251.eml', subject: 'Принтер', visible: ['Здравствуйте! Не работает принтер на третьем этаже.'] },
  { fixture: 'charset-iso-2022-jp.eml', subject: 'お問い合わせ', visible: ['いつもお世話になっております。プリンターが動きません。'] },
  { fixture: 'charset-shift_jis.eml', subject: '見積もり依頼', visible: ['見積もりをお願いします。ソフトウェアの表示が文字化けします。'] },
  { fixture: 'charset-gb2312.eml', subject: '打印机故障', visible: ['您好，三楼的打印机无法打印。谢谢！'] },
  { fixture: 'charset-utf-7.eml', subject: 'Grüße', visible: ['Hallo, die Übersicht ist kaputt: 5 € weniger. Grüße'] },
];

/** Bytes as they are, read one byte per character, so withHeaders can edit headers of any charset. */
const fixtureBytes = (name: string) => readFileSync(new URL(name, FIXTURES), 'latin1');

/** The body outside the fold, and the fold's content. */
function splitFold(body: string): { visible: string; folded: string } {
  const fold = /<details><summary>Quoted text<\/summary>([\s\S]*)<\/details>/.exec(body);
  return fold ? { visible: body.slice(0, fold.index) + body.slice(fold.index + fold[0].length), folded: fold[1]! } : { visible: body, folded: '' };
}

/** A ~20 MB message as mail clients send a large scan: a small PDF that is kept, and an archive over the upload limit that is named as refused. */
const SMALL_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

function largeMessage(): string {
  const wrap = (bytes: Buffer) => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  const archive = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(14 * 1024 * 1024)]);
  return [
    'From: Scanner User <scanner@example.com>',
    'To: support@acme.test',
    'Subject: Scans of the whole archive',
    'Message-ID: <large-1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="large-boundary"',
    '',
    '--large-boundary',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'All the scans are attached.',
    '--large-boundary',
    'Content-Type: application/pdf; name="index.pdf"',
    'Content-Disposition: attachment; filename="index.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    wrap(SMALL_PDF),
    '--large-boundary',
    'Content-Type: application/zip; name="archive.zip"',
    'Content-Disposition: attachment; filename="archive.zip"',
    'Content-Transfer-Encoding: base64',
    '',
    wrap(archive),
    '--large-boundary--',
    '',
  ].join('\r\n');
}

describe('the mail corpus: what real mail clients send becomes the right ticket, comment and attachments', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;
  let admin: SignedUpAdmin;
  let mailbox: MailboxWithTokenView;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('inbound-corpus');
    harness = await NotificationHarness.start('inbound-corpus', {}, { ticket: gateway.ticket });
    admin = await gateway.signup(`Corpus ${unique()}`);
    const response = await gateway.call('/mailboxes', { token: admin.accessToken, body: { address: `support-${unique()}@acme.test` } });
    expect(response.status).toBe(201);
    mailbox = (await response.json()) as MailboxWithTokenView;
  }, 60_000);

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  function unique() {
    return randomBytes(6).toString('hex');
  }

  async function deliver(raw: string): Promise<InboundResultView> {
    const response = await fetch(`${gateway.url}/api/v1/inbound/email/${mailbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-helpdesk-inbound-token': mailbox.inboundToken },
      body: Buffer.from(raw, 'latin1'),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return JSON.parse(text) as InboundResultView;
  }

  /** The sample from a sender of its own (new tickets per sender are capped) with a Message-ID of its own. */
  function fromFreshSender(raw: string, headers: Record<string, string> = {}): { raw: string; sender: string } {
    const original = /^From:.*?<([^>\s]+)/im.exec(raw)![1]!;
    const sender = `${unique()}-${original}`;
    return { sender, raw: withHeaders(raw.replaceAll(original, sender), { 'Message-ID': `<${unique()}@corpus.test>`, ...headers }) };
  }

  const get = async <T>(path: string) => {
    const response = await gateway.call(path, { token: admin.accessToken });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  /** Delivers a case's message (after the sender's own request when it is a reply) and answers the body it became and the attachments of that ticket or comment. */
  async function received(raw: string, reply: boolean) {
    if (!reply) {
      const { raw: message } = fromFreshSender(raw);
      const result = await deliver(message);
      expect(result.outcome).toBe('ticket_created');
      const ticket = await get<TicketView>(`/tickets/${result.ticketId}`);
      return { result, ticket, body: ticket.description, attachments: (await get<Page<AttachmentView>>(`/tickets/${result.ticketId}/attachments`)).items };
    }
    const request = fromFreshSender(fixtureBytes('gmail-new-request.eml'));
    const requestId = /^Message-ID: (.*)$/m.exec(request.raw)![1]!.trim();
    const opened = await deliver(request.raw);
    const answer = withHeaders(raw.replaceAll(/^From:.*$/gm, `From: Customer <${request.sender}>`), { 'Message-ID': `<${unique()}@corpus.test>`, 'In-Reply-To': requestId, References: requestId });
    const result = await deliver(answer);
    expect(result).toMatchObject({ outcome: 'comment_added', ticketId: opened.ticketId });
    const comment = (await get<Page<CommentView>>(`/tickets/${result.ticketId}/comments`)).items.find((item) => item.id === result.commentId)!;
    const attachments = (await get<Page<AttachmentView>>(`/tickets/${result.ticketId}/attachments`)).items.filter((item) => item.commentId === result.commentId);
    return { result, ticket: await get<TicketView>(`/tickets/${result.ticketId}`), body: comment.body, attachments };
  }

  it.each(CORPUS)('$fixture', async (sample) => {
    const { result, ticket, body, attachments } = await received(fixtureBytes(sample.fixture), sample.reply ?? false);

    if (sample.subject) expect(ticket.subject.startsWith(sample.subject), ticket.subject).toBe(true);
    expect(ticket.channel).toBe('email');
    const { visible, folded } = splitFold(body);
    for (const fragment of sample.visible) expect(visible).toContain(fragment);
    for (const fragment of sample.folded ?? []) {
      expect(folded).toContain(fragment);
      expect(visible).not.toContain(fragment);
    }
    expect(attachments.map(({ filename, contentType }) => ({ filename, contentType })).sort((a, b) => a.filename.localeCompare(b.filename))).toEqual(
      [...(sample.attachments ?? [])].sort((a, b) => a.filename.localeCompare(b.filename)),
    );
    for (const { filename, reason } of sample.refused ?? []) {
      const note = new RegExp(`<p><em>Attachment not accepted: ${filename.replace(/\./g, '\\.')} \\((.*?)\\)</em></p>`).exec(visible);
      expect(note?.[1], `${filename} is named as refused`).toMatch(reason);
    }
    expect(body.match(/Attachment not accepted/g)?.length ?? 0).toBe(sample.refused?.length ?? 0);
    if (sample.inlineImage) {
      // Shown in place: the image points at the stored attachment, which the agent can load.
      const inline = ATTACHMENT_IMAGE.exec(visible)?.[1];
      expect(attachments.map((attachment) => attachment.id)).toContain(inline);
      const image = await gateway.call(`/attachments/${inline}`, { token: admin.accessToken });
      expect(image.status).toBe(200);
      expect(Buffer.from(await image.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    }
    if (sample.participants !== undefined) {
      const [{ count }] = (await harness.ticket.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.ticket_participants WHERE ticket_id = $1`, [result.ticketId])) as Array<{
        count: number;
      }>;
      expect(count).toBe(sample.participants);
    }
  });

  it('records the attachments of a mail once when it is delivered again after a crash between the ticket change and its record', async () => {
    const { raw } = fromFreshSender(fixtureBytes('apple-mail-attachments.eml'));
    const messageId = /^Message-ID: (.*)$/m.exec(raw)![1]!.trim();
    const first = await deliver(raw);
    const before = (await get<Page<AttachmentView>>(`/tickets/${first.ticketId}/attachments`)).items;
    // What a crash after the ticket service's commit and before the record's leaves behind.
    await harness.ticket.dataSource.query(`UPDATE notification.inbound_messages SET outcome = NULL, ticket_id = NULL, processed_at = NULL WHERE mailbox_id = $1 AND message_id = $2`, [mailbox.id, messageId]);

    const redelivered = await deliver(raw);

    expect(redelivered).toEqual(first);
    const after = (await get<Page<AttachmentView>>(`/tickets/${first.ticketId}/attachments`)).items;
    expect(after.map((attachment) => attachment.id).sort()).toEqual(before.map((attachment) => attachment.id).sort());
    expect(after).toHaveLength(2);
    // Recorded like uploads, once each: in the ticket's history, and announced for the console.
    const [{ history, events }] = (await harness.ticket.dataSource.query(
      `SELECT (SELECT count(*)::int FROM helpdesk.ticket_events WHERE ticket_id = $1 AND action = 'attachment.added') AS history,
              (SELECT count(*)::int FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'attachment.added') AS events`,
      [first.ticketId],
    )) as Array<{ history: number; events: number }>;
    expect({ history, events }).toEqual({ history: 2, events: 2 });
  });

  it("names the attachments the organization's quota has no room for, records none of them and deletes their bytes", async () => {
    const full = await gateway.signup(`Full ${unique()}`);
    const created = await gateway.call('/mailboxes', { token: full.accessToken, body: { address: `support-${unique()}@full.test` } });
    const fullMailbox = (await created.json()) as MailboxWithTokenView;
    // An upload that used up the whole quota (ORG_ATTACHMENT_QUOTA_MB, 10240 MB by default).
    const earlier = (await (await gateway.call('/tickets', { token: full.accessToken, body: { subject: 'Archive', description: '<p>all of it</p>' } })).json()) as TicketView;
    await harness.ticket.dataSource.query(
      `INSERT INTO helpdesk.attachments (organization_id, ticket_id, filename, content_type, size, sha256, object_key, uploaded_by) VALUES ($1, $2, 'big.zip', 'application/zip', $3, $4, $5, $6)`,
      [full.organization.id, earlier.id, 10_240 * 1024 * 1024, 'a'.repeat(64), `${full.organization.id}/big`, full.user.id],
    );
    const { raw } = fromFreshSender(fixtureBytes('apple-mail-attachments.eml'));

    const response = await fetch(`${gateway.url}/api/v1/inbound/email/${fullMailbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-helpdesk-inbound-token': fullMailbox.inboundToken },
      body: Buffer.from(raw, 'latin1'),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as InboundResultView;

    const ticket = (await (await gateway.call(`/tickets/${result.ticketId}`, { token: full.accessToken })).json()) as TicketView;
    expect(ticket.description).toContain("Attachment not accepted: Rechnung März 2026.pdf (The organization's attachment quota of 10240 MB is used up)");
    expect(ticket.description).toContain('Attachment not accepted: setup.exe (Files with the .exe extension');
    const listed = (await (await gateway.call(`/tickets/${result.ticketId}/attachments`, { token: full.accessToken })).json()) as Page<AttachmentView>;
    expect(listed.items).toEqual([]);
    const nats = await connect({ servers: gateway.ticket.nats.url });
    try {
      const bucket = await new Objm(nats).open('helpdesk-attachments');
      const left = (await bucket.list()).filter((entry) => entry.name.startsWith(`${full.organization.id}/`));
      expect(left).toEqual([]);
    } finally {
      await nats.close();
    }
  });

  it('takes a 20 MB message: keeps the attachment within the upload limit and names the one beyond it as refused', async () => {
    const { body, attachments } = await received(largeMessage(), false);

    expect(body).toContain('All the scans are attached.');
    expect(body).toContain('<p><em>Attachment not accepted: archive.zip (The file is larger than the upload limit of 10 MB)</em></p>');
    expect(attachments.map(({ filename, contentType, size }) => ({ filename, contentType, size }))).toEqual([{ filename: 'index.pdf', contentType: 'application/pdf', size: SMALL_PDF.length }]);
  }, 120_000);
});
