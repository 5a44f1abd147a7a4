import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_MAIL_BUCKET, type CommentView, type EventEnvelope, type InboundResultView, type MailboxWithTokenView, type Page, type TicketView } from '@helpdesk/contracts';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { waitFor } from '@helpdesk/testing';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { mailFixture, withHeaders } from '../testing/mail-fixtures.js';
import { FROM_DOMAIN, NotificationHarness } from '../testing/notification-harness.js';

const MAX_BYTES = 8_192;

describe('POST /api/v1/inbound/email/:mailboxId', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('inbound-email', { INBOUND_MAX_BYTES: String(MAX_BYTES) });
    harness = await NotificationHarness.start('inbound-email', { DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64') }, { ticket: gateway.ticket });
  });

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  const unique = () => randomBytes(6).toString('hex');

  async function deskWithMailbox(): Promise<{ admin: SignedUpAdmin; mailbox: MailboxWithTokenView }> {
    const admin = await gateway.signup(`Desk ${unique()}`);
    const response = await gateway.call('/mailboxes', { token: admin.accessToken, body: { address: `support-${unique()}@acme.test` } });
    expect(response.status).toBe(201);
    return { admin, mailbox: (await response.json()) as MailboxWithTokenView };
  }

  const post = (mailboxId: string, raw: string, token: string | undefined, contentType = 'message/rfc822') =>
    fetch(`${gateway.url}/api/v1/inbound/email/${mailboxId}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(token === undefined ? {} : { 'x-helpdesk-inbound-token': token }) },
      body: raw,
    });

  async function deliver(mailbox: MailboxWithTokenView, raw: string): Promise<InboundResultView> {
    const response = await post(mailbox.id, raw, mailbox.inboundToken);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return JSON.parse(text) as InboundResultView;
  }

  /** The Gmail sample from a fresh sender, with its own Message-ID. */
  function newRequest(overrides: Record<string, string | null> = {}) {
    const sender = `maria-${unique()}@example.org`;
    const messageId = `<CAH8yC8${unique()}@mail.gmail.com>`;
    return { sender, messageId, raw: withHeaders(mailFixture('gmail-new-request.eml'), { 'Message-ID': messageId, From: `Maria Lopez <${sender}>`, ...overrides }) };
  }

  /** A sender who opened a ticket of their own by mail, so is a customer of the mailbox's organization. */
  async function knownCustomer(mailbox: MailboxWithTokenView): Promise<string> {
    const sender = `mallory-${unique()}@example.com`;
    await deliver(mailbox, newRequest({ From: `Mallory <${sender}>` }).raw);
    return sender;
  }

  async function storedKeys(mailboxId: string): Promise<string[]> {
    const nats = await connect({ servers: gateway.ticket.nats.url });
    try {
      const store = await new Objm(nats).open(INBOUND_MAIL_BUCKET);
      const names = (await store.list()).map((entry) => entry.name).filter((name) => name.startsWith(`${mailboxId}/`));
      return names.sort();
    } finally {
      await nats.close();
    }
  }

  const ticket = async (admin: SignedUpAdmin, id: string) => (await (await gateway.call(`/tickets/${id}`, { token: admin.accessToken })).json()) as TicketView;
  const comments = async (admin: SignedUpAdmin, id: string) => ((await (await gateway.call(`/tickets/${id}/comments`, { token: admin.accessToken })).json()) as Page<CommentView>).items;
  const ticketCount = async (orgId: string) =>
    ((await harness.ticket.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.tickets WHERE organization_id = $1`, [orgId])) as Array<{ count: number }>)[0]!.count;
  const userByEmail = async (orgId: string, email: string) =>
    ((await harness.ticket.dataSource.query(`SELECT id, role, password_hash FROM helpdesk.users WHERE organization_id = $1 AND email = $2`, [orgId, email])) as Array<{
      id: string;
      role: string;
      password_hash: string | null;
    }>)[0];

  it('refuses a missing or wrong token, and an unknown mailbox, with 401 (and reads no body)', async () => {
    const { mailbox } = await deskWithMailbox();
    const { raw } = newRequest();

    expect((await post(mailbox.id, raw, undefined)).status).toBe(401);
    expect((await post(mailbox.id, raw, 'wrong-token')).status).toBe(401);
    const lastChanged = `${mailbox.inboundToken.slice(0, -1)}${mailbox.inboundToken.endsWith('A') ? 'B' : 'A'}`;
    expect((await post(mailbox.id, raw, lastChanged)).status).toBe(401);
    const unknown = await post('0190c2f4-8d2e-7b3a-9c1d-2e3f4a5b6c7d', raw, mailbox.inboundToken);
    expect(unknown.status).toBe(401);
    expect((await unknown.json()) as { message: string }).toMatchObject({ message: 'Unknown mailbox or wrong inbound token' });
  });

  it('stops taking a rotated token at once', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const rotated = (await (await gateway.call(`/mailboxes/${mailbox.id}/rotate-token`, { method: 'POST', token: admin.accessToken })).json()) as MailboxWithTokenView;
    expect((await post(mailbox.id, newRequest().raw, mailbox.inboundToken)).status).toBe(401);
    expect((await post(mailbox.id, newRequest().raw, rotated.inboundToken)).status).toBe(200);
  });

  it('answers 413 beyond INBOUND_MAX_BYTES, and 415 for a body that is not message/rfc822', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { raw } = newRequest();
    const large = raw.replace('Hello,', `Hello,\r\n${'x'.repeat(MAX_BYTES)}`);

    const tooLarge = await post(mailbox.id, large, mailbox.inboundToken);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { message: string }).message).toMatch(/INBOUND_MAX_BYTES/);
    // Streamed without a Content-Length, the limit holds all the same.
    const chunked = await fetch(`${gateway.url}/api/v1/inbound/email/${mailbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-helpdesk-inbound-token': mailbox.inboundToken },
      body: new Blob([large]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await post(mailbox.id, raw, mailbox.inboundToken, 'text/plain')).status).toBe(415);
    expect(await ticketCount(admin.organization.id)).toBe(0);
  });

  it('makes a new mail a ticket with channel email, its unknown sender a customer without a password, its HTML sanitized', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { raw, sender, messageId } = newRequest();

    const result = await deliver(mailbox, raw);

    expect(result).toMatchObject({ messageId, outcome: 'ticket_created', commentId: null });
    const created = await ticket(admin, result.ticketId);
    expect(created).toMatchObject({ subject: 'Printer on the 2nd floor prints blank pages', channel: 'email', status: 'new' });
    expect(created.description).toContain('<b>2nd floor</b>');
    expect(created.description).toContain('María');
    expect(created.description).not.toMatch(/script|onerror|alert/);
    const requester = await userByEmail(admin.organization.id, sender);
    expect(requester).toMatchObject({ id: created.requesterId, role: 'customer', password_hash: null });
    const [record] = (await harness.ticket.dataSource.query(`SELECT * FROM notification.inbound_messages WHERE mailbox_id = $1`, [mailbox.id])) as Array<Record<string, unknown>>;
    expect(record).toMatchObject({ message_id: messageId, ticket_id: created.id, outcome: 'ticket_created', organization_id: admin.organization.id });
    expect(String(record!.object_key)).toMatch(new RegExp(`^${mailbox.id}/`));
  });

  it('records a message once per mailbox: the same mail posted twice, even at the same time, makes one ticket', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { raw } = newRequest();

    const first = await deliver(mailbox, raw);
    const again = await deliver(mailbox, raw);
    const concurrent = newRequest();
    const [one, two] = await Promise.all([deliver(mailbox, concurrent.raw), deliver(mailbox, concurrent.raw)]);

    expect(again).toEqual({ ...first, outcome: 'duplicate' });
    expect([one.outcome, two.outcome].sort()).toEqual(['duplicate', 'ticket_created']);
    expect(one.ticketId).toBe(two.ticketId);
    expect(await ticketCount(admin.organization.id)).toBe(2);
    // One raw copy per recorded message: the duplicates' copies were dropped.
    const records = (await harness.ticket.dataSource.query(`SELECT object_key FROM notification.inbound_messages WHERE mailbox_id = $1 ORDER BY object_key`, [mailbox.id])) as Array<{ object_key: string }>;
    expect(await storedKeys(mailbox.id)).toEqual(records.map((record) => record.object_key));
  });

  it('makes no second ticket when the service died between the ticket change and its record: the redelivery gets the first ticket back', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const { raw, messageId } = newRequest();
    const first = await deliver(mailbox, raw);
    // What a crash after the ticket service's commit and before the record's leaves behind.
    await harness.ticket.dataSource.query(`UPDATE notification.inbound_messages SET outcome = NULL, ticket_id = NULL, processed_at = NULL WHERE mailbox_id = $1 AND message_id = $2`, [mailbox.id, messageId]);

    const redelivered = await deliver(mailbox, raw);

    expect(redelivered).toEqual(first);
    expect(await ticketCount(admin.organization.id)).toBe(1);
  });

  it('never acknowledges a ticket opened by an auto-reply or list mail to its sender (a mail loop), while staff hear of it', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const machines: Array<Record<string, string>> = [{ 'Auto-Submitted': 'auto-replied' }, { 'List-Id': '<printers.lists.example.org>' }];
    for (const machine of machines) {
      const subject = `Machine mail ${unique()}`;
      const request = newRequest({ ...machine, Subject: subject });
      const opened = await deliver(mailbox, request.raw);
      expect(opened.outcome).toBe('ticket_created');
      // Staff's "new ticket" mail comes from the same event, queued with the acknowledgement if there were one.
      await waitFor('the staff mail about the ticket', async () => harness.sink.mailsTo(admin.user.email).find((mail) => mail.subject.includes(subject)));
      expect(harness.sink.mailsTo(request.sender)).toEqual([]);
      const [record] = (await harness.ticket.dataSource.query(`SELECT kind FROM notification.inbound_messages WHERE id = $1`, [opened.ticketId])) as Array<{ kind: string }>;
      expect(record!.kind).toBe('Auto-Submitted' in machine ? 'auto-reply' : 'list');
    }
    const person = newRequest();
    await deliver(mailbox, person.raw);
    await waitFor('the confirmation to a person', async () => harness.sink.mailsTo(person.sender)[0]);
  });

  it("turns a reply to one of the ticket's outgoing mails (In-Reply-To) into a public comment by its sender", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const request = newRequest();
    const opened = await deliver(mailbox, request.raw);
    // The "we received your request" mail the notification service sends the new customer.
    const confirmation = await waitFor('the confirmation mail', async () => harness.sink.mailsTo(request.sender)[0]);
    const sentId = confirmation.headers.get('message-id')!;
    expect(sentId).toMatch(new RegExp(`@${FROM_DOMAIN}>$`));

    const reply = withHeaders(mailFixture('thunderbird-reply.eml'), { 'Message-ID': `<${unique()}@example.net>`, From: `Maria Lopez <${request.sender}>`, 'In-Reply-To': sentId, References: sentId });
    const result = await deliver(mailbox, reply);

    expect(result).toMatchObject({ outcome: 'comment_added', ticketId: opened.ticketId });
    const [comment] = await comments(admin, opened.ticketId);
    expect(comment).toMatchObject({ id: result.commentId, internal: false, authorId: (await ticket(admin, opened.ticketId)).requesterId });
    expect(comment!.body).toContain('It happened again at 11:58');
    expect(await ticketCount(admin.organization.id)).toBe(1);
    // Realtime, notifications, triage and SLA see mail tickets and comments as any other, marked as mail.
    const events = (await harness.ticket.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 ORDER BY created_at`, [opened.ticketId])) as Array<{ envelope: EventEnvelope }>;
    const data = (type: string) => events.find((event) => event.envelope.type === type)?.envelope.data as Record<string, any>;
    expect(data('ticket.created').ticket.channel).toBe('email');
    expect(data('comment.created')).toMatchObject({ channel: 'email', comment: { id: result.commentId } });

    // A reply to that reply (References naming the received message) threads too, as does the ticket's own thread id.
    const thread = `<ticket-${opened.ticketId}@${FROM_DOMAIN}>`;
    const second = withHeaders(reply, { 'Message-ID': `<${unique()}@example.net>`, 'In-Reply-To': result.messageId, References: `${thread} ${result.messageId}` });
    expect(await deliver(mailbox, second)).toMatchObject({ outcome: 'comment_added', ticketId: opened.ticketId });
    const byThreadId = withHeaders(reply, { 'Message-ID': `<${unique()}@example.net>`, 'In-Reply-To': thread, References: null });
    expect(await deliver(mailbox, byThreadId)).toMatchObject({ outcome: 'comment_added', ticketId: opened.ticketId });
  });

  it('threads on the subject tag [#number] only from a participant: a stranger copying the tag gets a new ticket', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const request = newRequest();
    const opened = await deliver(mailbox, request.raw);
    const { number } = await ticket(admin, opened.ticketId);
    const tagged = (from: string) =>
      withHeaders(mailFixture('thunderbird-reply.eml'), { 'Message-ID': `<${unique()}@example.net>`, From: from, Subject: `Re: [#${number}] Printer on the 2nd floor`, 'In-Reply-To': null, References: null });

    const fromRequester = await deliver(mailbox, tagged(`Maria <${request.sender}>`));
    // A customer of the same desk (known to it through a ticket of their own), but no participant of this one.
    const stranger = await knownCustomer(mailbox);
    const fromStranger = await deliver(mailbox, tagged(`Mallory <${stranger}>`));

    expect(fromRequester).toMatchObject({ outcome: 'comment_added', ticketId: opened.ticketId });
    expect(fromStranger.outcome).toBe('ticket_created');
    expect(fromStranger.ticketId).not.toBe(opened.ticketId);
    expect((await ticket(admin, fromStranger.ticketId)).requesterId).toBe((await userByEmail(admin.organization.id, stranger))!.id);
    expect((await comments(admin, opened.ticketId)).map((comment) => comment.id)).toEqual([fromRequester.commentId]);
  });

  it("gives a stranger who copies another ticket's Message-ID a ticket of their own, and never threads across organizations", async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const request = newRequest();
    const opened = await deliver(mailbox, request.raw);
    const reply = (from: string) =>
      withHeaders(mailFixture('thunderbird-reply.eml'), { 'Message-ID': `<${unique()}@example.net>`, From: from, 'In-Reply-To': request.messageId, References: request.messageId });

    const fromStranger = await deliver(mailbox, reply(`Mallory <${await knownCustomer(mailbox)}>`));
    expect(fromStranger.outcome).toBe('ticket_created');
    expect(fromStranger.ticketId).not.toBe(opened.ticketId);

    // The same requester writing to another organization's mailbox opens a ticket there.
    const other = await deskWithMailbox();
    const elsewhere = await deliver(other.mailbox, reply(`Maria <${request.sender}>`));
    expect(elsewhere.outcome).toBe('ticket_created');
    expect((await ticket(other.admin, elsewhere.ticketId)).id).toBe(elsewhere.ticketId);
    expect(await comments(admin, opened.ticketId)).toEqual([]);
  });

  it('never lets staff answer by their From address alone, assigned or not (anyone can write it): without their reply token the mail opens a ticket of its own', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const opened = await deliver(mailbox, newRequest().raw);
    const { number } = await ticket(admin, opened.ticketId);
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const agentEmail = await harness.emailOf(agent.principal.userId);
    const thread = `<ticket-${opened.ticketId}@${FROM_DOMAIN}>`;
    const fromAgent = () =>
      withHeaders(mailFixture('thunderbird-reply.eml'), { 'Message-ID': `<${unique()}@example.net>`, From: `Agent <${agentEmail}>`, Subject: `Re: [#${number}] Printer`, 'In-Reply-To': thread, References: thread });

    const beforeAssignment = await deliver(mailbox, fromAgent());
    const assigned = await gateway.call(`/tickets/${opened.ticketId}`, { method: 'PATCH', token: admin.accessToken, body: { assigneeId: agent.principal.userId } });
    expect(assigned.status).toBe(200);
    const afterAssignment = await deliver(mailbox, fromAgent());

    expect([beforeAssignment.outcome, afterAssignment.outcome]).toEqual(['ticket_created', 'ticket_created']);
    expect([beforeAssignment.ticketId, afterAssignment.ticketId]).not.toContain(opened.ticketId);
    expect(await comments(admin, opened.ticketId)).toEqual([]);
    expect(await ticket(admin, opened.ticketId)).toMatchObject({ status: 'new', firstRespondedAt: null });
  });

  it("is not held to the anonymous per-IP limit: a provider posts everyone's mail from one address", async () => {
    const { mailbox } = await deskWithMailbox();
    const strict = await gateway.startReplica({ RATE_LIMIT_ANON_PER_HOUR: '2' });
    const postTo = (raw: string) =>
      fetch(`${strict.url}/api/v1/inbound/email/${mailbox.id}`, { method: 'POST', headers: { 'content-type': 'message/rfc822', 'x-helpdesk-inbound-token': mailbox.inboundToken }, body: raw });

    const statuses = [];
    for (let mail = 0; mail < 4; mail += 1) statuses.push((await postTo(newRequest().raw)).status);
    const anonymous = [];
    for (let attempt = 0; attempt < 3; attempt += 1) anonymous.push((await fetch(`${strict.url}/api/v1/auth/password-reset/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);

    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(anonymous).toContain(429);
  });
});
