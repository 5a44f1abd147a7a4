import type { DeadLetterDetail, DeadLetterSummary, Page, UserView } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../../../gateway/src/testing/gateway-harness.js';
import { MAIL_ATTEMPTS } from '../mail/mail-retry.js';
import { APP_BASE_URL, NotificationHarness } from '../testing/notification-harness.js';
import { REDACTED, WITHHELD_LINK } from './dead-letter-redaction.js';

describe('GET /api/v1/admin/notifications/dead-letters and /dead-letters/:id', () => {
  let gateway: GatewayHarness;
  let harness: NotificationHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('notification-dead-letter-pages');
    harness = await NotificationHarness.start('notification-dead-letter-pages', {}, { ticket: gateway.ticket });
  });

  afterEach(() => harness.sink.recover());

  afterAll(async () => {
    await harness?.stop();
    await gateway?.stop();
  });

  const list = (token: string, query = '') => gateway.call(`/admin/notifications/dead-letters${query}`, { token });
  const detail = (token: string, id: string) => gateway.call(`/admin/notifications/dead-letters/${id}`, { token });
  const json = async <T>(response: Response, status = 200): Promise<T> => {
    expect(response.status, await response.clone().text()).toBe(status);
    return (await response.json()) as T;
  };

  /** An organization (admins hear of no new ticket) whose customer's confirmation mails all died on a permanent SMTP failure. */
  async function organizationWithDeadTicketMails(tickets: number) {
    const admin = await gateway.signup();
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET notification_preferences = '{"newTicket": false}' WHERE id = $1`, [admin.user.id]);
    const customer = await gateway.addUser(admin.organization.id, 'customer');
    const customerEmail = await harness.emailOf(customer.principal.userId);
    harness.sink.failWith('rcpt', 550);
    const opened = [];
    for (let index = 1; index <= tickets; index += 1) opened.push(await harness.openTicket(customer.principal, `Broken thing ${index}`));
    await harness.settled();
    harness.sink.recover();
    return { admin, customer, customerEmail, opened };
  }

  /** An invitation that died after every attempt met a temporary failure: its link was issued on each attempt, never stored. */
  async function deadInvitation(admin: SignedUpAdmin) {
    const email = `invitee-${randomUUID().slice(0, 8)}@example.com`;
    harness.sink.failWith('connection', 421);
    const invited = await gateway.call('/users', { token: admin.accessToken, body: { name: 'Ivy Invitee', email, role: 'agent' } });
    const user = await json<UserView>(invited, 201);
    const dead = await harness.waitForDelivery(email, 'dead');
    harness.sink.recover();
    return { email, user, dead };
  }

  it("lists the organization's dead mails, the most recently given up first, page by page, with what an admin needs to judge them", async () => {
    const { admin, customerEmail, opened } = await organizationWithDeadTicketMails(3);

    const first = await json<Page<DeadLetterSummary>>(await list(admin.accessToken, '?limit=2'));
    const second = await json<Page<DeadLetterSummary>>(await list(admin.accessToken, `?limit=2&cursor=${first.nextCursor}`));

    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(second).toEqual({ items: [expect.any(Object)], nextCursor: null });
    const items = [...first.items, ...second.items];
    const times = items.map((item) => Date.parse(item.failedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items.map((item) => item.ticketId).sort()).toEqual(opened.map((ticket) => ticket.id).sort());
    const byTicket = items.find((item) => item.ticketId === opened[0]!.id)!;
    expect(byTicket).toEqual({
      id: expect.any(String),
      template: 'ticket-created',
      recipient: customerEmail,
      subject: `We received your request #${opened[0]!.number}: Broken thing 1`,
      ticketId: opened[0]!.id,
      attempts: 1,
      lastError: expect.stringContaining('550'),
      failedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
    });
  });

  it('shows one dead mail with every attempt’s error and the mail itself, and answers an empty list once all are replayed', async () => {
    const { admin, opened } = await organizationWithDeadTicketMails(1);
    const [summary] = (await json<Page<DeadLetterSummary>>(await list(admin.accessToken))).items;

    const shown = await json<DeadLetterDetail>(await detail(admin.accessToken, summary!.id));

    expect(shown).toMatchObject({ ...summary, eventType: 'ticket.created', redacted: false, messageId: expect.stringMatching(/^<.+>$/) });
    expect(shown.errors).toEqual([{ at: expect.any(String), attempt: 1, error: summary!.lastError }]);
    expect(shown.mail.subject).toBe(summary!.subject);
    expect(shown.mail.text).toContain(`${APP_BASE_URL}/tickets/${opened[0]!.id}`);
    expect(shown.mail.html).toContain('<html>');

    await gateway.call('/admin/notifications/dead-letters/replay', { token: admin.accessToken, body: {} });
    await harness.settled();
    expect(await json<Page<DeadLetterSummary>>(await list(admin.accessToken))).toEqual({ items: [], nextCursor: null });
    expect((await detail(admin.accessToken, summary!.id)).status).toBe(404);
  });

  it("never shows an invitation's single-use link to the admin: withheld in the mail, masked wherever a token-bearing link was stored", async () => {
    const admin = await gateway.signup();
    const { email, dead } = await deadInvitation(admin);

    const shown = await json<DeadLetterDetail>(await detail(admin.accessToken, dead.id));

    expect(shown).toMatchObject({ template: 'invitation', recipient: email, attempts: MAIL_ATTEMPTS, redacted: true });
    expect(shown.errors.map((entry) => entry.attempt)).toEqual([1, 2, 3, 4]);
    expect(shown.mail.text).toContain(WITHHELD_LINK);
    expect(shown.mail.html).toContain(`href="${WITHHELD_LINK}"`);
    expect(JSON.stringify(shown)).not.toMatch(/token=|account-link-/);

    // A mail stored with a live link in it (an older template, or an SMTP error quoting one) is masked all the same.
    const secret = 'bGl2ZS1yZXNldC10b2tlbi1vZi1hbm90aGVyLXVzZXI';
    const link = `${APP_BASE_URL}/reset-password?token=${secret}`;
    await harness.service.app.get(DataSource).query(
      `UPDATE notification.deliveries SET message = message || jsonb_build_object('text', $2::text, 'html', $3::text, 'subject', $4::text),
         last_error = $5, errors = errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt', 4, 'error', $5::text)) WHERE id = $1`,
      [dead.id, `Choose a password: ${link}`, `<a href="${link.replace('?', '?lang=en&amp;')}">Choose</a>`, `Reset via ${link}`, `550 rejected ${link}`],
    );
    const masked = await json<DeadLetterDetail>(await detail(admin.accessToken, dead.id));
    const listed = (await json<Page<DeadLetterSummary>>(await list(admin.accessToken))).items.find((item) => item.id === dead.id);

    expect(masked.mail.text).toBe(`Choose a password: ${APP_BASE_URL}/reset-password?token=${REDACTED}`);
    expect(masked.mail.html).toBe(`<a href="${APP_BASE_URL}/reset-password?lang=en&amp;token=${REDACTED}">Choose</a>`);
    expect(JSON.stringify(masked)).not.toContain(secret);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed!.subject).toBe(`Reset via ${APP_BASE_URL}/reset-password?token=${REDACTED}`);
  });

  it("answers 404 for another organization's dead mail, which it never lists either, and for an unknown id", async () => {
    const victim = await organizationWithDeadTicketMails(1);
    const [victimsDead] = (await json<Page<DeadLetterSummary>>(await list(victim.admin.accessToken))).items;
    const other = await gateway.signup('Other Desk');

    const foreign = await detail(other.accessToken, victimsDead!.id);

    expect(foreign.status).toBe(404);
    expect(JSON.stringify(await foreign.json())).not.toContain(victim.customerEmail);
    expect(await json<Page<DeadLetterSummary>>(await list(other.accessToken))).toEqual({ items: [], nextCursor: null });
    expect((await detail(victim.admin.accessToken, randomUUID())).status).toBe(404);
  });

  it('refuses agents, customers, anonymous callers and an admin demoted since their token was issued; rejects malformed ids, cursors and limits', async () => {
    const { admin, customer } = await organizationWithDeadTicketMails(1);
    const [dead] = (await json<Page<DeadLetterSummary>>(await list(admin.accessToken))).items;
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const demoted = await gateway.addUser(admin.organization.id, 'admin');
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET role = 'agent' WHERE id = $1`, [demoted.principal.userId]);

    for (const caller of [agent, customer, demoted]) {
      expect((await list(caller.accessToken)).status).toBe(403);
      expect((await detail(caller.accessToken, dead!.id)).status).toBe(403);
    }
    expect((await gateway.call('/admin/notifications/dead-letters')).status).toBe(401);
    expect((await gateway.call(`/admin/notifications/dead-letters/${dead!.id}`)).status).toBe(401);
    expect((await detail(admin.accessToken, 'not-a-uuid')).status).toBe(400);
    const forged = await list(admin.accessToken, '?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(JSON.stringify(await forged.json())).toContain('cursor');
    expect((await list(admin.accessToken, '?limit=0')).status).toBe(400);
    expect((await list(admin.accessToken, '?limit=101')).status).toBe(400);
  });

  it('is documented in the OpenAPI document', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    expect(Object.keys(document.paths['/api/v1/admin/notifications/dead-letters']?.get?.responses ?? {})).toEqual(expect.arrayContaining(['200', '403']));
    expect(Object.keys(document.paths['/api/v1/admin/notifications/dead-letters/{id}']?.get?.responses ?? {})).toEqual(expect.arrayContaining(['200', '403', '404']));
  });
});
