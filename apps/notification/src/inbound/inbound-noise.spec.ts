import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '@helpdesk/common';
import type { EventEnvelope, InboundReceipt, MailboxWithTokenView, UserView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import type { Counter } from 'prom-client';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { mailFixture, withHeaders } from '../testing/mail-fixtures.js';
import { FROM_DOMAIN, NotificationHarness } from '../testing/notification-harness.js';

const CAP = 3;

/** Loops and noise (DESIGN section 13) through the HTTP way in: bounces mark addresses, a sender's new tickets are capped. */
describe('inbound loops and noise', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('inbound-noise');
    harness = await NotificationHarness.start('inbound-noise', { INBOUND_MAX_TICKETS_PER_SENDER_PER_HOUR: String(CAP) }, { ticket: gateway.ticket });
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

  async function deliver(mailbox: MailboxWithTokenView, raw: string): Promise<InboundReceipt> {
    const response = await fetch(`${gateway.url}/api/v1/inbound/email/${mailbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-helpdesk-inbound-token': mailbox.inboundToken },
      body: raw,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return JSON.parse(text) as InboundReceipt;
  }

  const newRequest = (sender: string, subject = `Request ${unique()}`) =>
    withHeaders(mailFixture('gmail-new-request.eml'), { 'Message-ID': `<CAH8yC8${unique()}@mail.gmail.com>`, From: `Maria Lopez <${sender}>`, Subject: subject });

  /** A Postfix delivery-status report saying the mail `returned` (its Message-ID) to `failed` bounced for good (and to another address was only delayed). */
  const bounceFor = (failed: string, returned: string) =>
    withHeaders(
      mailFixture('noise/bounce-postfix.eml').replaceAll('gone@example.test', failed).replaceAll('Gone@Example.test', failed).replace('Message-ID: <5f2c0d7e@acme.test>', `Message-ID: ${returned}`),
      { 'Message-Id': `<${unique()}@mx.example.test>` },
    );
  /** The Message-ID of the first mail the desk sent to this address (the acknowledgement of a new ticket). */
  const firstMailTo = async (address: string) => (await waitFor(`a mail to ${address}`, async () => harness.sink.mailsTo(address)[0])).headers.get('message-id')!;

  const ticketCount = async (orgId: string) =>
    ((await harness.ticket.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.tickets WHERE organization_id = $1`, [orgId])) as Array<{ count: number }>)[0]!.count;
  const commentCount = async (orgId: string) =>
    ((await harness.ticket.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.comments comment JOIN helpdesk.tickets ticket ON ticket.id = comment.ticket_id WHERE ticket.organization_id = $1`, [orgId])) as Array<{ count: number }>)[0]!.count;
  const userView = async (admin: SignedUpAdmin, userId: string) => (await (await gateway.call(`/users/${userId}`, { token: admin.accessToken })).json()) as UserView;
  const userEvents = async (userId: string) =>
    ((await harness.ticket.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type LIKE 'user.%' ORDER BY created_at`, [userId])) as Array<{ envelope: EventEnvelope }>).map(
      (row) => row.envelope,
    );
  const record = async (mailboxId: string, messageId: string) =>
    ((await harness.ticket.dataSource.query(`SELECT kind, outcome, ticket_id, comment_id FROM notification.inbound_messages WHERE mailbox_id = $1 AND message_id = $2`, [mailboxId, messageId])) as Array<
      Record<string, unknown>
    >)[0];
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const counter = harness.service.app.get(MetricsService).registry.getSingleMetric(name) as Counter;
    return (await counter.get()).values.filter((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label)).reduce((sum, value) => sum + value.value, 0);
  };
  const reply = (admin: SignedUpAdmin, ticketId: string, body: string) => gateway.call(`/tickets/${ticketId}/comments`, { token: admin.accessToken, body: { body, internal: false } });

  it('marks the failed recipient of a bounce as bouncing without a ticket or comment, mails it no more, and mails it again once an agent clears the mark', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const sender = `maria-${unique()}@example.org`;
    const opened = await deliver(mailbox, newRequest(sender));
    expect(opened.outcome).toBe('ticket_created');
    const acknowledgement = await firstMailTo(sender);
    const { requesterId } = (await (await gateway.call(`/tickets/${opened.ticketId}`, { token: admin.accessToken })).json()) as { requesterId: string };

    const bounce = bounceFor(sender, acknowledgement);
    const receipt = await deliver(mailbox, bounce);

    expect(receipt).toMatchObject({ outcome: 'bounce_recorded', ticketId: null, commentId: null });
    expect(await record(mailbox.id, receipt.messageId)).toEqual({ kind: 'bounce', outcome: 'bounce_recorded', ticket_id: null, comment_id: null });
    expect(await ticketCount(admin.organization.id)).toBe(1);
    expect(await commentCount(admin.organization.id)).toBe(0);
    const marked = await userView(admin, requesterId);
    expect(marked.bouncingSince).not.toBeNull();
    expect((await userEvents(requesterId)).map((event) => [event.type, event.actor])).toEqual([['user.bouncing', { system: 'inbound-mail' }]]);
    // The same report again changes nothing.
    expect(await deliver(mailbox, bounce)).toEqual({ ...receipt, outcome: 'duplicate' });

    const suppressedBefore = await metric('helpdesk_mail_suppressed_total', { reason: 'bouncing_address' });
    expect((await reply(admin, opened.ticketId!, 'Could you send a photo of the printout?')).status).toBe(201);
    await harness.settled();
    expect(harness.sink.mailsTo(sender).map((mail) => mail.subject)).toHaveLength(1);
    expect(await metric('helpdesk_mail_suppressed_total', { reason: 'bouncing_address' })).toBe(suppressedBefore + 1);

    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const cleared = await gateway.call(`/users/${requesterId}/clear-bounce`, { method: 'POST', token: agent.accessToken });
    expect(cleared.status).toBe(200);
    expect(((await cleared.json()) as UserView).bouncingSince).toBeNull();
    const clearedEvent = (await userEvents(requesterId)).at(-1)!;
    expect(clearedEvent).toMatchObject({ type: 'user.bounce_cleared', actor: { userId: agent.principal.userId, role: 'agent' }, data: { userId: requesterId, bouncingSince: marked.bouncingSince } });

    expect((await reply(admin, opened.ticketId!, 'Thanks, found it.')).status).toBe(201);
    await waitFor('the agent reply mailed again', async () => harness.sink.mailsTo(sender).length === 2);
  });

  it('lets only staff of the organization clear a mark: customers 403, another organization 404', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const sender = `kim-${unique()}@example.org`;
    await deliver(mailbox, newRequest(sender));
    await deliver(mailbox, bounceFor(sender, await firstMailTo(sender)));
    const [{ id: userId }] = (await harness.ticket.dataSource.query(`SELECT id FROM helpdesk.users WHERE organization_id = $1 AND email = $2`, [admin.organization.id, sender])) as Array<{ id: string }>;

    const customer = await gateway.addUser(admin.organization.id, 'customer');
    expect((await gateway.call(`/users/${userId}/clear-bounce`, { method: 'POST', token: customer.accessToken })).status).toBe(403);
    const stranger = await gateway.signup(`Other ${unique()}`);
    expect((await gateway.call(`/users/${userId}/clear-bounce`, { method: 'POST', token: stranger.accessToken })).status).toBe(404);
    expect((await userView(admin, userId)).bouncingSince).not.toBeNull();
  });

  it('clears the mark when the person writes in again, and marks only users of the mailbox organization', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const other = await deskWithMailbox();
    const sender = `lee-${unique()}@example.org`;
    const opened = await deliver(mailbox, newRequest(sender));
    const acknowledgement = await firstMailTo(sender);
    await deliver(other.mailbox, newRequest(sender));
    // The other desk's copy of the report marks nobody there: it did not send that mail.
    expect(await deliver(other.mailbox, bounceFor(sender, acknowledgement))).toMatchObject({ outcome: 'bounce_recorded' });
    await deliver(mailbox, bounceFor(sender, acknowledgement));
    const idIn = async (orgId: string) =>
      ((await harness.ticket.dataSource.query(`SELECT id FROM helpdesk.users WHERE organization_id = $1 AND email = $2`, [orgId, sender])) as Array<{ id: string }>)[0]!.id;
    const userId = await idIn(admin.organization.id);
    expect((await userView(admin, userId)).bouncingSince).not.toBeNull();
    expect((await userView(other.admin, await idIn(other.admin.organization.id))).bouncingSince).toBeNull();

    const followUp = withHeaders(mailFixture('thunderbird-reply.eml'), { 'Message-ID': `<${unique()}@example.net>`, From: `Lee <${sender}>`, 'In-Reply-To': `<ticket-${opened.ticketId}@${FROM_DOMAIN}>`, References: null });
    expect(await deliver(mailbox, followUp)).toMatchObject({ outcome: 'comment_added', ticketId: opened.ticketId });
    expect((await userView(admin, userId)).bouncingSince).toBeNull();
    expect((await userEvents(userId)).map((event) => [event.type, event.actor])).toEqual([
      ['user.bouncing', { system: 'inbound-mail' }],
      ['user.bounce_cleared', { system: 'inbound-mail' }],
    ]);
  });

  it('marks nobody for a forged report: a mail the desk never sent, sent to someone else, or no returned mail at all', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const victim = `vic-${unique()}@example.org`;
    const bystander = `bys-${unique()}@example.org`;
    await deliver(mailbox, newRequest(victim));
    await deliver(mailbox, newRequest(bystander));
    const victimsMail = await firstMailTo(victim);
    const bystandersMail = await firstMailTo(bystander);

    const forgeries = [
      bounceFor(victim, `<${unique()}@${FROM_DOMAIN}>`),
      bounceFor(victim, bystandersMail),
      bounceFor(victim, victimsMail).replace(/--4C1F2A0B12[^\n]*\nContent-Description: Undelivered Message Headers[\s\S]*?(?=--4C1F2A0B12)/, ''),
    ];
    for (const forged of forgeries) {
      expect(await deliver(mailbox, forged)).toMatchObject({ outcome: 'bounce_recorded', ticketId: null });
    }

    const marked = (await harness.ticket.dataSource.query(`SELECT email FROM helpdesk.users WHERE organization_id = $1 AND bouncing_since IS NOT NULL`, [admin.organization.id])) as unknown[];
    expect(marked).toEqual([]);
    expect(await ticketCount(admin.organization.id)).toBe(2);
  });

  it('opens at most INBOUND_MAX_TICKETS_PER_SENDER_PER_HOUR new tickets per sender, a burst included; further mail is recorded, not answered; replies are not capped', async () => {
    const { admin, mailbox } = await deskWithMailbox();
    const sender = `flood-${unique()}@example.org`;
    const limitedBefore = await metric('helpdesk_inbound_rate_limited_total');

    // All at once, as from a looping autoresponder: the count holds under concurrency.
    const receipts = await Promise.all(Array.from({ length: CAP + 3 }, () => deliver(mailbox, newRequest(sender))));

    expect(receipts.filter((receipt) => receipt.outcome === 'ticket_created')).toHaveLength(CAP);
    const limited = receipts.filter((receipt) => receipt.outcome === 'rate_limited');
    expect(limited).toHaveLength(3);
    for (const receipt of limited) {
      expect(receipt).toMatchObject({ ticketId: null, commentId: null });
      expect(await record(mailbox.id, receipt.messageId)).toMatchObject({ outcome: 'rate_limited', ticket_id: null });
    }
    expect(await ticketCount(admin.organization.id)).toBe(CAP);
    expect(await metric('helpdesk_inbound_rate_limited_total')).toBe(limitedBefore + 3);

    // A reply to one of the sender's tickets still lands; another sender still opens tickets.
    const ticketId = receipts.find((receipt) => receipt.outcome === 'ticket_created')!.ticketId!;
    const followUp = withHeaders(mailFixture('thunderbird-reply.eml'), { 'Message-ID': `<${unique()}@example.net>`, From: `Flood <${sender.toUpperCase()}>`, 'In-Reply-To': `<ticket-${ticketId}@${FROM_DOMAIN}>`, References: null });
    expect(await deliver(mailbox, followUp)).toMatchObject({ outcome: 'comment_added', ticketId });
    expect((await deliver(mailbox, newRequest(`calm-${unique()}@example.org`))).outcome).toBe('ticket_created');
    // Same address in another case is the same sender.
    expect((await deliver(mailbox, newRequest(sender.toUpperCase()))).outcome).toBe('rate_limited');

    await harness.settled();
    // Only the tickets opened were acknowledged to the sender.
    expect(harness.sink.mailsTo(sender)).toHaveLength(CAP);
  });
});
