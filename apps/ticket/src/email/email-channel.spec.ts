import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type EmailCommentReply, type EmailTicketReply, type NotificationContextReply } from '@helpdesk/contracts';
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

  const email = async (userId: string) => ((await harness.dataSource.query(`SELECT email FROM helpdesk.users WHERE id = $1`, [userId])) as Array<{ email: string }>)[0]!.email;
  const ticketRow = async (id: string) =>
    ((await harness.dataSource.query(`SELECT status, first_responded_at FROM helpdesk.tickets WHERE id = $1`, [id])) as Array<{ status: string; first_responded_at: Date | null }>)[0]!;

  it('never lets staff act by their From address alone, assigned or not: only a reply token issued to them makes their mail an agent reply', async () => {
    const { admin } = await harness.signup('Desk Staff');
    const agent = await harness.addUser(admin.orgId, 'agent');
    const agentEmail = await email(agent.userId);
    const { ticket } = await open(admin.orgId, 'asker@example.com');
    await harness.dataSource.query(`UPDATE helpdesk.tickets SET assignee_id = $2 WHERE id = $1`, [ticket.id, agent.userId]);

    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, ticketId: ticket.id, sender: { email: agentEmail }, body: 'x' })).toMatchObject({ code: 'NOT_FOUND' });
    const reply = await comment({ orgId: admin.orgId, ticketNumber: ticket.number, replyTokenUserId: agent.userId, sender: { email: agentEmail.toUpperCase() } });

    expect(reply.comment).toMatchObject({ ticketId: ticket.id, authorId: agent.userId, internal: false });
    expect(await ticketRow(ticket.id)).toMatchObject({ status: 'open', first_responded_at: expect.any(Date) });
    const [event] = (await harness.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE type = 'comment.created' AND aggregate_id = $1`, [ticket.id])) as Array<{ envelope: { data: Record<string, unknown> } }>;
    expect(event!.envelope.data).toMatchObject({ authorRole: 'agent', channel: 'email' });
  });

  it("refuses a reply token's user when someone else sent the mail, or when a customer holding it no longer takes part", async () => {
    const { admin } = await harness.signup('Desk Token');
    const agent = await harness.addUser(admin.orgId, 'agent');
    const { ticket } = await open(admin.orgId, 'owner@example.com');
    const other = await open(admin.orgId, 'neighbour@example.com');
    const asToken = (userId: string, sender: string, ticketNumber = ticket.number) =>
      harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, ticketNumber, replyTokenUserId: userId, sender: { email: sender }, body: 'x' });

    expect(await asToken(agent.userId, 'owner@example.com')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await asToken(ticket.requesterId, 'neighbour@example.com')).toMatchObject({ code: 'NOT_FOUND' });
    // The neighbour's own token names their ticket: it is no key to this one.
    expect(await asToken(other.ticket.requesterId, 'neighbour@example.com')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await ticketRow(ticket.id)).toMatchObject({ status: 'new', first_responded_at: null });
    const own = await comment({ orgId: admin.orgId, ticketNumber: ticket.number, replyTokenUserId: ticket.requesterId, sender: { email: 'owner@example.com' } });
    expect(own.comment).toMatchObject({ authorId: ticket.requesterId });
  });

  it("makes the Cc addresses participants: unknown ones customers without a password, never staff, the requester or a deactivated account; participants may answer by mail", async () => {
    const { admin } = await harness.signup('Desk Cc');
    const agent = await harness.addUser(admin.orgId, 'agent');
    const former = await harness.addUser(admin.orgId, 'customer', `former-${randomUUID().slice(0, 6)}@example.com`);
    await harness.dataSource.query(`UPDATE helpdesk.users SET active = false WHERE id = $1`, [former.userId]);
    const cc = [
      { email: 'Colleague@Example.com', name: 'Col <i>League</i>' },
      { email: 'colleague@example.com' },
      { email: await email(agent.userId) },
      { email: 'opener@example.com' },
      { email: await email(former.userId) },
    ];

    const { ticket } = await harness.send<EmailTicketReply>(subjects.emailChannel.createTicket, {
      orgId: admin.orgId,
      changeId: randomUUID(),
      sender: { email: 'opener@example.com' },
      subject: 'Copied',
      description: '<p>Hi</p>',
      cc,
    });

    const participants = (await harness.dataSource.query(
      `SELECT person.email, person.name, person.role, person.password_hash FROM helpdesk.ticket_participants participant JOIN helpdesk.users person ON person.id = participant.user_id WHERE participant.ticket_id = $1`,
      [ticket.id],
    )) as Array<Record<string, unknown>>;
    expect(participants).toEqual([{ email: 'colleague@example.com', name: 'Col League', role: 'customer', password_hash: null }]);
    const answer = await comment({ orgId: admin.orgId, ticketId: ticket.id, sender: { email: 'colleague@example.com' }, cc: [{ email: 'third@example.com' }] });
    expect(answer.comment).toMatchObject({ ticketId: ticket.id, internal: false });
    const count = ((await harness.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.ticket_participants WHERE ticket_id = $1`, [ticket.id])) as Array<{ count: number }>)[0]!.count;
    expect(count).toBe(2);
    const context = await harness.send<NotificationContextReply>(subjects.notifications.ticketContext, { orgId: admin.orgId, ticketId: ticket.id, participants: true });
    expect(context.participants!.map((person) => person.email)).toEqual(['colleague@example.com', 'third@example.com']);
  });

  it('takes at most 50 Cc addresses from one mail, and a ticket keeps at most 100 participants', async () => {
    const { admin } = await harness.signup('Desk Many');
    const addresses = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => ({ email: `${prefix}-${index}@example.com` }));
    expect(await harness.fail(subjects.emailChannel.createTicket, { orgId: admin.orgId, changeId: randomUUID(), sender: { email: 'many@example.com' }, subject: 's', description: 'd', cc: addresses('x', 51) })).toMatchObject({ code: 'VALIDATION' });
    const { ticket } = await harness.send<EmailTicketReply>(subjects.emailChannel.createTicket, { orgId: admin.orgId, changeId: randomUUID(), sender: { email: 'many@example.com' }, subject: 's', description: 'd', cc: addresses('a', 50) });
    for (const prefix of ['b', 'c']) await comment({ orgId: admin.orgId, ticketId: ticket.id, sender: { email: 'many@example.com' }, cc: addresses(prefix, 50) });

    const rows = (await harness.dataSource.query(`SELECT person.email FROM helpdesk.ticket_participants participant JOIN helpdesk.users person ON person.id = participant.user_id WHERE participant.ticket_id = $1`, [ticket.id])) as Array<{ email: string }>;
    expect(rows).toHaveLength(100);
    expect(rows.some((row) => row.email.startsWith('c-'))).toBe(false);
  });

  it('refuses a command naming the ticket twice or not at all', async () => {
    const { admin } = await harness.signup('Desk C');
    const { ticket } = await open(admin.orgId, 'someone@example.com');
    const sender = { email: 'someone@example.com' };
    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, ticketId: ticket.id, ticketNumber: ticket.number, sender, body: 'x' })).toMatchObject({ code: 'VALIDATION' });
    expect(await harness.fail(subjects.emailChannel.addComment, { changeId: randomUUID(), orgId: admin.orgId, sender, body: 'x' })).toMatchObject({ code: 'VALIDATION' });
  });

  it('puts a reply to a merged ticket on the end of its merge chain, once however often it is delivered; a closed end opens nothing', async () => {
    const { admin } = await harness.signup('Desk M');
    const { ticket: source } = await open(admin.orgId, 'merged-requester@example.com');
    const { ticket: middle } = await open(admin.orgId, 'other-one@example.com');
    const { ticket: last } = await open(admin.orgId, 'other-two@example.com');
    const merge = (from: string, into: string) => harness.send(subjects.tickets.merge, { principal: admin, ticketId: from, targetId: into });
    await merge(source.id, middle.id);
    await merge(middle.id, last.id);

    const payload = { orgId: admin.orgId, ticketNumber: source.number, sender: { email: 'merged-requester@example.com' }, changeId: randomUUID() };
    const written = await comment(payload);
    expect(written.comment).toMatchObject({ ticketId: last.id, authorId: source.requesterId, internal: false });
    expect((await comment(payload)).comment).toEqual(written.comment);
    const onSource = (await harness.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.comments WHERE ticket_id = $1`, [source.id])) as Array<{ count: number }>;
    expect(onSource[0]!.count).toBe(0);
    expect((await ticketRow(source.id)).status).toBe('closed');
    // Now copied on the target (it was copied by the first merge already; this keeps it so).
    const copied = (await harness.dataSource.query(`SELECT 1 FROM helpdesk.ticket_participants WHERE ticket_id = $1 AND user_id = $2`, [last.id, source.requesterId])) as unknown[];
    expect(copied).toHaveLength(1);

    await harness.dataSource.query(`UPDATE helpdesk.tickets SET status = 'closed' WHERE id = $1`, [last.id]);
    expect(await harness.fail(subjects.emailChannel.addComment, { ...payload, body: 'x', changeId: randomUUID() })).toMatchObject({ code: 'NOT_FOUND' });
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
