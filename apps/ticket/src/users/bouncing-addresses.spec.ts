import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects, type EmailMarkBouncingReply, type NotificationContextReply, type TicketView, type UserView } from '@helpdesk/contracts';
import { TicketHarness } from '../testing/ticket-harness.js';

describe('bouncing addresses (ticket service)', () => {
  let harness: TicketHarness;

  beforeAll(async () => {
    harness = await TicketHarness.start('bouncing-addresses');
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const mark = (orgId: string, emails: string[]) => harness.send<EmailMarkBouncingReply>(subjects.emailChannel.markBouncing, { orgId, emails });
  const bouncingSince = async (userId: string) =>
    ((await harness.dataSource.query(`SELECT bouncing_since FROM helpdesk.users WHERE id = $1`, [userId])) as Array<{ bouncing_since: Date | null }>)[0]!.bouncing_since;

  it("marks the organization's users with those addresses, whatever their case, once; other organizations' users and unknown addresses are left alone", async () => {
    const { admin } = await harness.signup('Bounce Desk');
    const other = await harness.signup('Other Desk');
    const customer = await harness.addUser(admin.orgId, 'customer', 'gone@example.com');
    const namesake = await harness.addUser(other.admin.orgId, 'customer', 'gone@example.com');

    expect(await mark(admin.orgId, ['Gone@Example.com', 'nobody@example.com'])).toEqual({ userIds: [customer.userId] });
    const first = await bouncingSince(customer.userId);
    expect(first).not.toBeNull();
    expect(await bouncingSince(namesake.userId)).toBeNull();
    // A second report keeps the first date and announces nothing new.
    expect(await mark(admin.orgId, ['gone@example.com'])).toEqual({ userIds: [] });
    expect(await bouncingSince(customer.userId)).toEqual(first);
    const events = (await harness.dataSource.query(`SELECT type FROM helpdesk.outbox WHERE aggregate_id = $1 AND type LIKE 'user.%'`, [customer.userId])) as unknown[];
    expect(events).toEqual([{ type: 'user.bouncing' }]);

    // The notification service hears of it with every ticket mail's recipients.
    const ticket = await harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Printer', description: 'Blank pages' });
    const context = await harness.send<NotificationContextReply>(subjects.notifications.ticketContext, { orgId: admin.orgId, ticketId: ticket.id, staffContacts: true });
    expect(context.requester).toMatchObject({ id: customer.userId, bouncing: true });
    expect(context.admins?.every((person) => person.bouncing === false)).toBe(true);
  });

  it('refuses a report that names no addresses properly', async () => {
    const { admin } = await harness.signup('Strict Desk');
    expect(await harness.fail(subjects.emailChannel.markBouncing, { orgId: admin.orgId, emails: ['not an address'] })).toMatchObject({ code: 'VALIDATION' });
    expect(await harness.fail(subjects.emailChannel.markBouncing, { orgId: admin.orgId, emails: Array.from({ length: 101 }, (_, index) => `u${index}@example.com`) })).toMatchObject({ code: 'VALIDATION' });
  });

  it('lets admins and agents clear a mark, answers a user who is not bouncing unchanged, and refuses customers', async () => {
    const { admin } = await harness.signup('Clearing Desk');
    const agent = await harness.addUser(admin.orgId, 'agent');
    const customer = await harness.addUser(admin.orgId, 'customer', 'flaky@example.com');
    await mark(admin.orgId, ['flaky@example.com']);

    expect(await harness.fail(subjects.users.clearBounce, { principal: customer, userId: customer.userId })).toMatchObject({ code: 'FORBIDDEN' });
    const cleared = await harness.send<UserView>(subjects.users.clearBounce, { principal: agent, userId: customer.userId });
    expect(cleared).toMatchObject({ id: customer.userId, bouncingSince: null });
    expect(await harness.send<UserView>(subjects.users.clearBounce, { principal: admin, userId: customer.userId })).toMatchObject({ bouncingSince: null });
    const events = (await harness.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'user.bounce_cleared'`, [customer.userId])) as Array<{ envelope: { actor: unknown } }>;
    expect(events.map((event) => event.envelope.actor)).toEqual([{ userId: agent.userId, role: 'agent' }]);
  });
});
