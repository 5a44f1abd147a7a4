import { subjects, type TicketFollowerView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationHarness } from '../testing/notification-harness.js';

/** Staff following a ticket hear of its comments and status changes, through the real SMTP sink. */
describe("mails to a ticket's followers", () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    harness = await NotificationHarness.start('notification-followers');
  });

  afterAll(() => harness?.stop());

  const subjectsTo = (address: string) => harness.sink.mailsTo(address).map((mail) => mail.subject).sort();

  it('mails a follower once per comment or status change by someone else, never their own, never twice, and never when their preference is off', async () => {
    const { customer, admin, agent, agentEmail } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const follower = await harness.ticket.addUser(admin.orgId, 'agent');
    const quiet = await harness.ticket.addUser(admin.orgId, 'agent');
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET notification_preferences = '{"followedTicket": false}' WHERE id = $1`, [quiet.userId]);
    const followerEmail = await harness.emailOf(follower.userId);
    const quietEmail = await harness.emailOf(quiet.userId);
    const ticket = await harness.openTicket(customer, 'Badge reader');
    await harness.updateTicket(admin, ticket.id, { assigneeId: agent.userId });
    for (const staff of [follower, quiet, agent]) {
      const followed = await harness.ticket.send<TicketFollowerView>(subjects.tickets.follow, { principal: staff, ticketId: ticket.id });
      expect(followed.userId).toBe(staff.userId);
    }

    await harness.comment(customer, ticket.id, '<p>The reader at door 3 blinks red.</p>');
    await harness.comment(follower, ticket.id, 'Facilities say the reader needs a reboot', true);
    await harness.updateTicket(admin, ticket.id, { status: 'pending' });
    await harness.settled();

    const reply = `Re: [#${ticket.number}] Badge reader`;
    // The customer's reply and the status change, each once; not the follower's own note.
    expect(subjectsTo(followerEmail)).toEqual([reply, `[#${ticket.number}] Now pending: Badge reader`].sort());
    const [heard] = harness.sink.mailsTo(followerEmail).filter((mail) => mail.subject === reply);
    expect(heard!.text).toContain(`Carla Customer wrote a reply on ticket #${ticket.number} "Badge reader", which you follow:`);
    expect(heard!.html).toContain('<p>The reader at door 3 blinks red.</p>');
    // The assignee follows too: the customer's reply once (as the assignee), the note and the status change as a follower.
    expect(subjectsTo(agentEmail)).toEqual([`[#${ticket.number}] Assigned to you: Badge reader`, reply, reply, `[#${ticket.number}] Now pending: Badge reader`].sort());
    const agentReplies = harness.sink.mailsTo(agentEmail).filter((mail) => mail.subject === reply);
    expect(agentReplies.filter((mail) => mail.text.includes('blinks red'))).toHaveLength(1);
    expect(agentReplies.filter((mail) => mail.text.includes('wrote an internal note'))).toHaveLength(1);
    expect(subjectsTo(quietEmail)).toEqual([]);
    // The internal note never reaches the customer.
    expect(harness.sink.mails.filter((mail) => mail.text.includes('Facilities')).flatMap((mail) => mail.to)).toEqual([agentEmail]);
  });

  it('mails no follower who was deactivated or is no longer staff', async () => {
    const { customer, admin } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const [staying, departed, demoted] = await Promise.all([1, 2, 3].map(() => harness.ticket.addUser(admin.orgId, 'agent')));
    const ticket = await harness.openTicket(customer, 'Projector');
    for (const staff of [staying!, departed!, demoted!]) await harness.ticket.send(subjects.tickets.follow, { principal: staff, ticketId: ticket.id });
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET active = false WHERE id = $1`, [departed!.userId]);
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET role = 'customer' WHERE id = $1`, [demoted!.userId]);

    await harness.comment(customer, ticket.id, 'Still no picture');
    await harness.settled();

    expect(subjectsTo(await harness.emailOf(staying!.userId))).toEqual([`Re: [#${ticket.number}] Projector`]);
    expect(subjectsTo(await harness.emailOf(departed!.userId))).toEqual([]);
    expect(subjectsTo(await harness.emailOf(demoted!.userId))).toEqual([]);
  });

  it('stops mailing someone who unfollowed', async () => {
    const { customer, admin } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const follower = await harness.ticket.addUser(admin.orgId, 'agent');
    const followerEmail = await harness.emailOf(follower.userId);
    const ticket = await harness.openTicket(customer, 'Parking pass');
    await harness.ticket.send(subjects.tickets.follow, { principal: follower, ticketId: ticket.id });
    await harness.ticket.send(subjects.tickets.unfollow, { principal: follower, ticketId: ticket.id });

    await harness.comment(customer, ticket.id, 'Any news?');
    await harness.settled();

    expect(subjectsTo(followerEmail)).toEqual([]);
  });
});
