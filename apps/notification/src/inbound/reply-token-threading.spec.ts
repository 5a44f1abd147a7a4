import { randomBytes } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILBOX_LIMITS, type CommentView, type InboundResultView, type MailboxWithTokenView, type Page, type TicketView } from '@helpdesk/contracts';
import { freePort, waitFor } from '@helpdesk/testing';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { mailFixture, withHeaders } from '../testing/mail-fixtures.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import type { ReceivedMail } from '../testing/smtp-sink.js';
import { InboundSmtpService } from './inbound-smtp.service.js';

describe('reply tokens, agent replies by mail and Cc participants (threading rule 2)', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;
  let smtpPort: number;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('reply-token');
    harness = await NotificationHarness.start(
      'reply-token',
      { DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), INBOUND_SMTP_PORT: String(await freePort()), INBOUND_SMTP_HOST: '127.0.0.1' },
      { ticket: gateway.ticket },
    );
    smtpPort = harness.service.app.get(InboundSmtpService).port!;
  });

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  const unique = () => randomBytes(6).toString('hex');

  // Short local parts: `<local>+<45-character token>` must fit the 64 octets of RFC 5321.
  async function addMailbox(admin: SignedUpAdmin, address = `help-${randomBytes(3).toString('hex')}@acme.test`): Promise<MailboxWithTokenView> {
    const response = await gateway.call('/mailboxes', { token: admin.accessToken, body: { address } });
    expect(response.status).toBe(201);
    return (await response.json()) as MailboxWithTokenView;
  }

  async function deskWithMailbox(): Promise<{ admin: SignedUpAdmin; mailbox: MailboxWithTokenView }> {
    const admin = await gateway.signup(`Desk ${unique()}`);
    return { admin, mailbox: await addMailbox(admin) };
  }

  async function deliver(mailbox: MailboxWithTokenView, raw: string): Promise<InboundResultView> {
    const response = await fetch(`${gateway.url}/api/v1/inbound/email/${mailbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-helpdesk-inbound-token': mailbox.inboundToken },
      body: raw,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return JSON.parse(text) as InboundResultView;
  }

  /** A new request from a fresh sender, to the mailbox. */
  async function request(mailbox: MailboxWithTokenView, headers: Record<string, string | null> = {}) {
    const sender = `maria-${unique()}@example.org`;
    const raw = withHeaders(mailFixture('gmail-new-request.eml'), { 'Message-ID': `<${unique()}@mail.gmail.com>`, From: `Maria <${sender}>`, To: mailbox.address, Subject: `Request ${unique()}`, ...headers });
    return { sender, result: await deliver(mailbox, raw) };
  }

  /** A mail client's answer sent to an address, with no References and a subject that names no ticket: only the address can thread it. */
  const answer = (from: string, to: string, text = 'It happened again at 11:58') =>
    withHeaders(mailFixture('thunderbird-reply.eml').replace('It happened again at 11:58', text), {
      'Message-ID': `<${unique()}@example.net>`,
      From: from,
      To: to,
      Subject: 'Re: your mail',
      'In-Reply-To': null,
      References: null,
    });

  const mailTo = (address: string, subjectPart: string) =>
    waitFor(`a mail to ${address} about ${subjectPart}`, async () => harness.sink.mailsTo(address).find((mail) => mail.subject.includes(subjectPart)));
  const replyAddressOf = (mail: ReceivedMail) => /[^\s<>"]+@[^\s<>"]+/.exec(mail.headers.get('reply-to') ?? '')?.[0];
  const ticket = async (admin: SignedUpAdmin, id: string) => (await (await gateway.call(`/tickets/${id}`, { token: admin.accessToken })).json()) as TicketView;
  const comments = async (admin: SignedUpAdmin, id: string) => ((await (await gateway.call(`/tickets/${id}/comments`, { token: admin.accessToken })).json()) as Page<CommentView>).items;
  const userId = async (orgId: string, email: string) =>
    ((await harness.ticket.dataSource.query(`SELECT id FROM helpdesk.users WHERE organization_id = $1 AND lower(email) = lower($2)`, [orgId, email])) as Array<{ id: string }>)[0]?.id;

  it("gives every ticket mail a Reply-To at the organization's oldest mailbox with a token of its own per ticket and recipient; account mails and a desk without a mailbox have none", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const [local, domain] = mailbox.address.split('@');
    const first = await request(mailbox);
    await addMailbox(admin);
    const second = await request(mailbox);
    const { number } = await ticket(admin, first.result.ticketId);

    const toFirst = await mailTo(first.sender, `#${number}`);
    const toSecond = await mailTo(second.sender, `#${number + 1}`);
    const toAdmin = await mailTo(admin.user.email, `#${number}`);

    const pattern = new RegExp(`^${local}\\+[a-z2-7]{45}@${domain}$`);
    const addresses = [toFirst, toSecond, toAdmin].map(replyAddressOf);
    for (const address of addresses) expect(address).toMatch(pattern);
    expect(new Set(addresses).size).toBe(3);

    // An account mail answers no ticket: no reply address, even where there is a mailbox.
    const invitee = `nina-${unique()}@example.com`;
    expect((await gateway.call('/users', { token: admin.accessToken, body: { name: 'Nina', email: invitee, role: 'agent' } })).status).toBe(201);
    expect((await mailTo(invitee, 'invited')).headers.has('reply-to')).toBe(false);

    const bare = await gateway.signup(`No mailbox ${unique()}`);
    const opened = await gateway.call('/tickets', { token: bare.accessToken, body: { subject: `Without mailbox ${unique()}`, description: 'Hello' } });
    expect(opened.status).toBe(201);
    const { subject } = (await opened.json()) as TicketView;
    const unanswerable = await mailTo(bare.user.email, subject);
    expect(unanswerable.headers.has('reply-to')).toBe(false);
  });

  it('names the oldest mailbox whose local part leaves room for the token, and sends no Reply-To when none does; the mailbox list says which', async () => {
    const admin = await gateway.signup(`Long ${unique()}`);
    // 19 characters before the @: one too many for `<local>+<45-character token>` in 64 octets.
    const long = await addMailbox(admin, `customer-cares-${randomBytes(2).toString('hex')}@acme.test`);
    expect(long.address.split('@')[0]).toHaveLength(MAILBOX_LIMITS.replyAddressLocalPart + 1);
    expect(long.replyTo).toEqual({ tokenFits: false, used: false });
    const alone = await request(long);
    const { number } = await ticket(admin, alone.result.ticketId);
    expect((await mailTo(alone.sender, `#${number}`)).headers.has('reply-to')).toBe(false);

    const short = await addMailbox(admin);
    expect(short.replyTo).toEqual({ tokenFits: true, used: true });
    const listed = ((await (await gateway.call('/mailboxes', { token: admin.accessToken })).json()) as Page<MailboxWithTokenView>).items;
    expect(listed.map((mailbox) => [mailbox.address, mailbox.replyTo])).toEqual([
      [long.address, { tokenFits: false, used: false }],
      [short.address, { tokenFits: true, used: true }],
    ]);
    const later = await request(long);
    const [local, domain] = short.address.split('@');
    const confirmation = await mailTo(later.sender, `#${number + 1}`);
    expect(replyAddressOf(confirmation)).toMatch(new RegExp(`^${local}\\+[a-z2-7]{45}@${domain}$`));
    // The token is the organization's, not the mailbox's: the answer threads whichever mailbox it reaches.
    const answered = await deliver(long, answer(`Maria <${later.sender}>`, replyAddressOf(confirmation)!));
    expect(answered).toMatchObject({ outcome: 'comment_added', ticketId: later.result.ticketId });
  });

  it("threads a customer's answer to their reply address onto the ticket, with no References and a subject naming no ticket", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { sender, result } = await request(mailbox);
    const confirmation = await mailTo(sender, 'received');

    const answered = await deliver(mailbox, answer(`Maria <${sender}>`, replyAddressOf(confirmation)!));

    expect(answered).toMatchObject({ outcome: 'comment_added', ticketId: result.ticketId });
    expect(await comments(admin, result.ticketId)).toMatchObject([{ id: answered.commentId, authorId: await userId(admin.organization.id, sender), internal: false }]);
  });

  it("makes an agent's answer to their own reply address an agent reply: first response recorded, the ticket opened, the customer mailed", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { sender, result } = await request(mailbox);
    const { number } = await ticket(admin, result.ticketId);
    // The admins hear of a ticket without a team; their mail carries their own token.
    const staffMail = await mailTo(admin.user.email, `#${number}`);

    const answered = await deliver(mailbox, answer(`Ada <${admin.user.email}>`, replyAddressOf(staffMail)!, 'Please restart the printer'));

    expect(answered).toMatchObject({ outcome: 'comment_added', ticketId: result.ticketId });
    expect(await comments(admin, result.ticketId)).toMatchObject([{ authorId: admin.user.id, internal: false }]);
    const answeredTicket = await ticket(admin, result.ticketId);
    expect(answeredTicket.status).toBe('open');
    expect(answeredTicket.firstRespondedAt).not.toBeNull();
    const replyMail = await mailTo(sender, `Re: [#${number}]`);
    expect(replyMail.text).toContain('Please restart the printer');
  });

  it("does not let anyone else act through a reply address: a stranger, or another ticket's customer, gets a ticket of their own", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { sender, result } = await request(mailbox);
    const { number } = await ticket(admin, result.ticketId);
    const agentAddress = replyAddressOf(await mailTo(admin.user.email, `#${number}`))!;
    const customerAddress = replyAddressOf(await mailTo(sender, `#${number}`))!;
    const neighbour = await request(mailbox);

    const stranger = `eve-${unique()}@example.com`;
    const fromStranger = await deliver(mailbox, answer(`Eve <${stranger}>`, agentAddress));
    const fromNeighbour = await deliver(mailbox, answer(`Nina <${neighbour.sender}>`, customerAddress));

    expect(fromStranger.outcome).toBe('ticket_created');
    expect((await ticket(admin, fromStranger.ticketId)).requesterId).toBe(await userId(admin.organization.id, stranger));
    expect(fromNeighbour.outcome).toBe('ticket_created');
    expect((await ticket(admin, fromNeighbour.ticketId)).requesterId).toBe(await userId(admin.organization.id, neighbour.sender));
    expect(await comments(admin, result.ticketId)).toEqual([]);
    expect(await ticket(admin, result.ticketId)).toMatchObject({ status: 'new', firstRespondedAt: null });
  });

  it("tries each reply address a mail came to: the sender's own counts even after someone else's", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { sender, result } = await request(mailbox);
    const { number } = await ticket(admin, result.ticketId);
    const agentAddress = replyAddressOf(await mailTo(admin.user.email, `#${number}`))!;
    const ownAddress = replyAddressOf(await mailTo(sender, `#${number}`))!;

    const answered = await deliver(mailbox, answer(`Maria <${sender}>`, `${agentAddress}, ${ownAddress}`));

    expect(answered).toMatchObject({ outcome: 'comment_added', ticketId: result.ticketId });
    expect(await comments(admin, result.ticketId)).toMatchObject([{ authorId: await userId(admin.organization.id, sender) }]);
    expect((await ticket(admin, result.ticketId)).firstRespondedAt).toBeNull();
  });

  it('ignores a tampered token: the mail threads by the other rules, here a new ticket', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { sender, result } = await request(mailbox);
    const address = replyAddressOf(await mailTo(sender, 'received'))!;
    const at = address.indexOf('@');
    const tampered = `${address.slice(0, at - 1)}${address[at - 1] === 'a' ? 'b' : 'a'}${address.slice(at)}`;

    const answered = await deliver(mailbox, answer(`Maria <${sender}>`, tampered));

    expect(answered.outcome).toBe('ticket_created');
    expect(await comments(admin, result.ticketId)).toEqual([]);
  });

  it('finds the token in the SMTP envelope when the headers do not name it (a Bcc)', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { sender, result } = await request(mailbox);
    const address = replyAddressOf(await mailTo(sender, 'received'))!;
    const raw = answer(`Maria <${sender}>`, 'friends@example.org', 'Sent by Bcc');

    await createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true }).sendMail({ envelope: { from: sender, to: [address] }, raw });

    const [comment] = await waitFor('the comment', async () => {
      const list = await comments(admin, result.ticketId);
      return list.length > 0 ? list : undefined;
    });
    expect(comment!.body).toContain('Sent by Bcc');
  });

  it("makes the Cc addresses participants, never the desk's own mailboxes: they receive the agent's public replies, never internal notes, and can answer", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const other = await addMailbox(admin);
    const [local, domain] = mailbox.address.split('@');
    const colleague = `colleague-${unique()}@example.org`;
    const { sender, result } = await request(mailbox, { Cc: `Colin <${colleague}>, ${other.address}, ${local}+anything@${domain}, ${mailbox.address.toUpperCase()}` });
    const { number } = await ticket(admin, result.ticketId);
    const participants = (await harness.ticket.dataSource.query(
      `SELECT person.email FROM helpdesk.ticket_participants participant JOIN helpdesk.users person ON person.id = participant.user_id WHERE participant.ticket_id = $1`,
      [result.ticketId],
    )) as Array<{ email: string }>;
    expect(participants).toEqual([{ email: colleague }]);

    const note = await gateway.call(`/tickets/${result.ticketId}/comments`, { token: admin.accessToken, body: { body: 'Internal: customer is on the old plan', internal: true } });
    expect(note.status).toBe(201);
    const reply = await gateway.call(`/tickets/${result.ticketId}/comments`, { token: admin.accessToken, body: { body: 'We replaced the toner' } });
    expect(reply.status).toBe(201);
    const copied = await mailTo(colleague, `Re: [#${number}]`);
    await mailTo(sender, `Re: [#${number}]`);

    expect(copied.text).toContain('We replaced the toner');
    expect(copied.text).toContain('replied to the request');
    for (const mail of [...harness.sink.mailsTo(colleague), ...harness.sink.mailsTo(sender)]) expect(mail.text).not.toContain('old plan');
    expect(harness.sink.mailsTo(colleague)).toHaveLength(1);

    // A list's mail names its audience in Cc: nobody there follows the ticket.
    const listed = await request(mailbox, { Cc: `reader-${unique()}@example.org`, 'List-Id': '<printers.lists.example.org>' });
    expect(await harness.ticket.dataSource.query(`SELECT 1 FROM helpdesk.ticket_participants WHERE ticket_id = $1`, [listed.result.ticketId])).toEqual([]);

    const answered = await deliver(mailbox, answer(`Colin <${colleague}>`, replyAddressOf(copied)!, 'Thanks, it prints again'));
    expect(answered).toMatchObject({ outcome: 'comment_added', ticketId: result.ticketId });
    const authors = (await comments(admin, result.ticketId)).map((comment) => comment.authorId);
    expect(authors.at(-1)).toBe(await userId(admin.organization.id, colleague));
  });
});
