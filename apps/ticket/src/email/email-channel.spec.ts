import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type EmailCommentReply, type EmailTicketReply } from '@helpdesk/contracts';
import { TicketHarness } from '../testing/ticket-harness.js';

describe('email channel commands (for the notification service only)', () => {
  let harness: TicketHarness;

  beforeAll(async () => {
    harness = await TicketHarness.start('email-channel');
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const open = (orgId: string, email: string, changeId = randomUUID()) =>
    harness.send<EmailTicketReply>(subjects.emailChannel.createTicket, { orgId, changeId, sender: { email, name: 'Sam <b>Sender</b>' }, subject: 'Mail subject', description: '<p>Hello</p>' });
  const comment = (payload: object) => harness.send<EmailCommentReply>(subjects.emailChannel.addComment, { body: '<p>More</p>', changeId: randomUUID(), ...payload });
  const users = async (orgId: string, email: string) =>
    (await harness.dataSource.query(`SELECT id, name, role FROM helpdesk.users WHERE organization_id = $1 AND lower(email) = lower($2)`, [orgId, email])) as Array<{ id: string; name: string; role: string }>;

  it("opens the ticket for the organization's existing user with that address, whatever its case, as channel email", async () => {
    const { admin } = await harness.signup('Mail Desk');
    const customer = await harness.addUser(admin.orgId, 'customer', 'known.customer@example.com');

    const { ticket } = await open(admin.orgId, 'Known.Customer@Example.com');

    expect(ticket).toMatchObject({ requesterId: customer.userId, channel: 'email', priority: 'normal' });
    expect(await users(admin.orgId, 'known.customer@example.com')).toHaveLength(1);
    const fresh = await open(admin.orgId, `new-${randomUUID().slice(0, 6)}@example.com`);
    const [created] = (await harness.dataSource.query(`SELECT role, name, password_hash FROM helpdesk.users WHERE id = $1 AND organization_id = $2`, [fresh.ticket.requesterId, admin.orgId])) as Array<Record<string, unknown>>;
    expect(created).toEqual({ role: 'customer', name: 'Sam Sender', password_hash: null });
  });

  it("answers NOT_FOUND for an unknown organization, another organization's ticket, a closed ticket or a sender who takes no part", async () => {
    const { admin } = await harness.signup('Desk A');
    const other = await harness.signup('Desk B');
    const { ticket } = await open(admin.orgId, 'requester-a@example.com');

    expect(await harness.fail(subjects.emailChannel.createTicket, { orgId: randomUUID(), changeId: randomUUID(), sender: { email: 'x@example.com' }, subject: 's', description: 'd' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: other.admin.orgId, ticketId: ticket.id, sender: { email: 'requester-a@example.com' }, body: 'x' })).toMatchObject({ code: 'NOT_FOUND' });
    await open(admin.orgId, 'bystander@example.com');
    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, ticketNumber: ticket.number, sender: { email: 'bystander@example.com' }, body: 'x' })).toMatchObject({ code: 'NOT_FOUND' });

    const added = await comment({ orgId: admin.orgId, ticketNumber: ticket.number, sender: { email: 'REQUESTER-A@example.com' } });
    expect(added.comment).toMatchObject({ ticketId: ticket.id, authorId: ticket.requesterId, internal: false });

    await harness.dataSource.query(`UPDATE helpdesk.tickets SET status = 'closed' WHERE id = $1`, [ticket.id]);
    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, ticketId: ticket.id, sender: { email: 'requester-a@example.com' }, body: 'x' })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a command naming the ticket twice or not at all', async () => {
    const { admin } = await harness.signup('Desk C');
    const { ticket } = await open(admin.orgId, 'someone@example.com');
    const sender = { email: 'someone@example.com' };
    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, ticketId: ticket.id, ticketNumber: ticket.number, sender, body: 'x' })).toMatchObject({ code: 'VALIDATION' });
    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, sender, body: 'x' })).toMatchObject({ code: 'VALIDATION' });
  });

  it('answers the same change asked again (a redelivery after a crash) with what it made the first time, never a second ticket or comment', async () => {
    const { admin } = await harness.signup('Desk D');
    const changeId = randomUUID();
    const first = await open(admin.orgId, 'again@example.com', changeId);
    const again = await open(admin.orgId, 'again@example.com', changeId);

    expect(again.ticket).toMatchObject({ id: changeId, number: first.ticket.number });
    const count = async (table: string) => ((await harness.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.${table} WHERE organization_id = $1`, [admin.orgId])) as Array<{ count: number }>)[0]!.count;
    expect(await count('tickets')).toBe(1);
    const [{ next_ticket_number }] = (await harness.dataSource.query(`SELECT next_ticket_number FROM helpdesk.organizations WHERE id = $1`, [admin.orgId])) as Array<{ next_ticket_number: number }>;
    expect(next_ticket_number).toBe(first.ticket.number + 1);

    const commentId = randomUUID();
    const payload = { orgId: admin.orgId, ticketId: changeId, sender: { email: 'again@example.com' }, changeId: commentId };
    const written = await comment(payload);
    await harness.dataSource.query(`UPDATE helpdesk.tickets SET status = 'closed' WHERE id = $1`, [changeId]);
    const rewritten = await comment(payload);
    expect(rewritten.comment).toEqual(written.comment);
    expect(await count('comments')).toBe(1);
    const outbox = (await harness.dataSource.query(`SELECT type FROM helpdesk.outbox WHERE aggregate_id = $1 ORDER BY created_at`, [changeId])) as Array<{ type: string }>;
    expect(outbox.map((event) => event.type)).toEqual(['ticket.created', 'comment.created']);
  });
});
