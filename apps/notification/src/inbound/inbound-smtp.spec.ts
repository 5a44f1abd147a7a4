import { randomBytes } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_MAIL_BUCKET, type CommentView, type MailboxWithTokenView, type Page, type TicketView } from '@helpdesk/contracts';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { freePort, waitFor } from '@helpdesk/testing';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { mailFixture, withHeaders } from '../testing/mail-fixtures.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import { InboundSmtpService } from './inbound-smtp.service.js';

/** The SMTP way in, end to end: an MTA (nodemailer here) delivers to the notification service's listener. */
describe('inbound mail by SMTP', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;
  let smtpPort: number;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('inbound-smtp');
    harness = await NotificationHarness.start('inbound-smtp', { INBOUND_SMTP_PORT: String(await freePort()), INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_MAX_BYTES: '65536' }, { ticket: gateway.ticket });
    smtpPort = harness.service.app.get(InboundSmtpService).port!;
  });

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  const unique = () => randomBytes(6).toString('hex');
  const mta = () => createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });

  async function deskWithMailbox(): Promise<{ admin: SignedUpAdmin; mailbox: MailboxWithTokenView }> {
    const admin = await gateway.signup(`Desk ${unique()}`);
    const response = await gateway.call('/mailboxes', { token: admin.accessToken, body: { address: `support-${unique()}@acme.test` } });
    expect(response.status).toBe(201);
    return { admin, mailbox: (await response.json()) as MailboxWithTokenView };
  }

  const tickets = async (admin: SignedUpAdmin) => ((await (await gateway.call('/tickets', { token: admin.accessToken })).json()) as Page<TicketView>).items;

  it('turns a mail to a mailbox address into a ticket with channel email, once however often the MTA delivers it', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const sender = `maria-${unique()}@example.org`;
    const raw = withHeaders(mailFixture('gmail-new-request.eml'), { 'Message-ID': `<smtp-${unique()}@mail.gmail.com>`, From: `Maria Lopez <${sender}>`, To: mailbox.address });

    const envelope = { from: sender, to: [mailbox.address.toUpperCase()] };
    await mta().sendMail({ envelope, raw });
    // An MTA that lost our 250 sends again: the (mailbox, Message-ID) record keeps it one ticket.
    await mta().sendMail({ envelope, raw });

    const [created, ...others] = await waitFor('the ticket', async () => {
      const list = await tickets(admin);
      return list.length > 0 ? list : undefined;
    });
    expect(others).toEqual([]);
    expect(created).toMatchObject({ subject: 'Printer on the 2nd floor prints blank pages', channel: 'email' });
    const nats = await connect({ servers: gateway.ticket.nats.url });
    try {
      const bucket = await new Objm(nats).open(INBOUND_MAIL_BUCKET);
      const stored = (await bucket.list()).filter((entry) => entry.name.startsWith(`${mailbox.id}/`));
      expect(stored).toHaveLength(1);
      // Written without the library's lookup of an earlier version (the key is new): whole, with its digest.
      expect(stored[0]).toMatchObject({ chunks: 1, deleted: false });
      expect(Buffer.from((await bucket.getBlob(stored[0]!.name))!).toString()).toContain(`From: Maria Lopez <${sender}>`);
    } finally {
      await nats.close();
    }
  });

  it('puts a reply to a merged ticket on the ticket it was merged into, following a chain of merges, and never reopens the merged one', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const maria = `maria-${unique()}@example.org`;
    await mta().sendMail({ from: `Maria Lopez <${maria}>`, to: mailbox.address, subject: 'Printer prints blank pages', text: 'Every page comes out blank.', messageId: `<first-${unique()}@example.org>` });
    const [source] = await waitFor('the mailed ticket', async () => {
      const list = await tickets(admin);
      return list.length > 0 ? list : undefined;
    });
    const opened = async (subject: string) => {
      const response = await gateway.call('/tickets', { token: admin.accessToken, body: { subject, description: '<p>Same printer</p>', requesterEmail: `bob-${unique()}@example.org`, requesterName: 'Bob' } });
      expect(response.status).toBe(201);
      return (await response.json()) as TicketView;
    };
    const merge = async (from: TicketView, into: TicketView) => expect((await gateway.call(`/tickets/${from.id}/merge`, { token: admin.accessToken, body: { targetId: into.id } })).status).toBe(200);
    const commentsOf = async (ticket: TicketView) => ((await (await gateway.call(`/tickets/${ticket.id}/comments?limit=100`, { token: admin.accessToken })).json()) as Page<CommentView>).items;
    const reply = (from: string, text: string) => mta().sendMail({ from, to: mailbox.address, subject: `Re: [#${source!.number}] Printer prints blank pages`, text, messageId: `<reply-${unique()}@example.org>` });
    const arrived = (ticket: TicketView, text: string) =>
      waitFor(`"${text}" on #${ticket.number}`, async () => (await commentsOf(ticket)).find((comment) => comment.body.includes(text)));

    const target = await opened('Floor 2 printer');
    await merge(source!, target);
    await reply(`Maria Lopez <${maria}>`, 'Still blank after the restart.');
    const first = await arrived(target, 'Still blank after the restart.');
    expect(first.authorId).toBe((await (await gateway.call(`/tickets/${source!.id}`, { token: admin.accessToken })).json() as TicketView).requesterId);

    // The target is merged in turn: the next reply to the first ticket follows both merges.
    const last = await opened('All printers');
    await merge(target, last);
    await reply(`Maria Lopez <${maria}>`, 'Now the toner light blinks.');
    await arrived(last, 'Now the toner light blinks.');

    const merged = (await (await gateway.call(`/tickets/${source!.id}`, { token: admin.accessToken })).json()) as TicketView;
    expect(merged.status).toBe('closed');
    expect(await commentsOf(merged)).toEqual([]);
    expect((await commentsOf(target)).filter((comment) => comment.body.includes('toner'))).toEqual([]);
    const history = ((await (await gateway.call(`/tickets/${last.id}/events?limit=100`, { token: admin.accessToken })).json()) as Page<{ action: string }>).items;
    expect(history.map((entry) => entry.action)).toContain('commented');
    // Someone who never took part in the merged ticket gets a ticket of their own, as with any ticket.
    await reply(`Mallory <mallory-${unique()}@example.org>`, 'Copying the tag.');
    await waitFor('the stranger ticket', async () => ((await tickets(admin)).length === 4 ? true : undefined));
    expect((await commentsOf(last)).filter((comment) => comment.body.includes('Copying the tag'))).toEqual([]);
  });

  it('answers 550 for an address no organization has, and 552 beyond INBOUND_MAX_BYTES', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    await expect(mta().sendMail({ from: 'someone@example.org', to: `nobody-${unique()}@acme.test`, subject: 'hi', text: 'hi' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(mta().sendMail({ from: 'someone@example.org', to: mailbox.address, subject: 'big', text: 'x'.repeat(70_000) })).rejects.toMatchObject({ responseCode: 552 });
    expect(await tickets(admin)).toEqual([]);
  });

  it('takes a reply address with a plus part for its mailbox', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const [local, domain] = mailbox.address.split('@');
    await mta().sendMail({ from: `tom-${unique()}@example.org`, to: `${local}+sometoken@${domain}`, subject: 'Plus addressed', text: 'Hello', messageId: `<plus-${unique()}@example.org>` });
    expect((await tickets(admin)).map((ticket) => ticket.subject)).toEqual(['Plus addressed']);
  });
});
