import { subjects, type NotificationContextReply, type NotificationUserContextReply } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_BASE_URL, FROM_DOMAIN, NotificationHarness } from '../testing/notification-harness.js';

describe('mails sent for ticket events', () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    harness = await NotificationHarness.start('notification-events');
  });

  afterAll(() => harness?.stop());

  it('confirms a new ticket to its requester once, with the organization, the number, a link and threading headers', async () => {
    const { customer, customerEmail } = await harness.organizationWithCustomer({ organizationName: 'Globex Support' });
    const ticket = await harness.openTicket(customer, 'Printer on fire');
    await harness.settled();

    const mails = harness.sink.mailsTo(customerEmail);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe(`We received your request #${ticket.number}: Printer on fire`);
    expect(mail!.text).toContain('Globex Support');
    expect(mail!.html).toContain('Globex Support');
    expect(mail!.text).toContain(`${APP_BASE_URL}/tickets/${ticket.id}`);
    expect(mail!.html).toContain(`href="${APP_BASE_URL}/tickets/${ticket.id}"`);
    expect(mail!.from).toBe(`support@${FROM_DOMAIN}`);
    expect(mail!.headers.get('message-id')).toMatch(new RegExp(`^<[0-9a-f]+@${FROM_DOMAIN}>$`));
    expect(mail!.headers.get('in-reply-to')).toBe(`<ticket-${ticket.id}@${FROM_DOMAIN}>`);
    expect(mail!.headers.get('references')).toBe(`<ticket-${ticket.id}@${FROM_DOMAIN}>`);
    expect(await harness.deliveriesTo(customerEmail)).toMatchObject([{ template: 'ticket-created', status: 'sent', attempts: 1 }]);
  });

  it("mails an agent's public reply to the requester with its text, in the same thread", async () => {
    const { customer, customerEmail, agent } = await harness.organizationWithCustomer();
    const ticket = await harness.openTicket(customer);
    await harness.comment(agent, ticket.id, '<p>Please hold the <strong>power button</strong> for 10 seconds.</p><p>Then try again.</p>');
    await harness.settled();

    const reply = harness.sink.mailsTo(customerEmail).find((mail) => mail.subject.startsWith('Re:'));
    expect(reply?.subject).toBe(`Re: [#${ticket.number}] My laptop will not boot`);
    expect(reply?.html).toContain('<p>Please hold the <strong>power button</strong> for 10 seconds.</p>');
    expect(reply?.text).toContain('Please hold the power button for 10 seconds.\nThen try again.');
    expect(reply?.text).not.toContain('<strong>');
    expect(reply?.headers.get('in-reply-to')).toBe(`<ticket-${ticket.id}@${FROM_DOMAIN}>`);
    expect(harness.sink.mailsTo(customerEmail)).toHaveLength(2);
  });

  it('never mails an internal note, nor a comment the customer wrote themselves', async () => {
    const { customer, customerEmail, agent } = await harness.organizationWithCustomer();
    const ticket = await harness.openTicket(customer);
    await harness.comment(agent, ticket.id, 'Customer is on the old firmware, do not tell them yet', true);
    await harness.comment(customer, ticket.id, 'Any news?');
    await harness.settled();

    const everything = harness.sink.mails.map((mail) => `${mail.subject}\n${mail.text}\n${mail.html}`).join('\n');
    expect(everything).not.toContain('old firmware');
    expect(harness.sink.mailsTo(customerEmail).map((mail) => mail.subject)).toEqual([`We received your request #${ticket.number}: My laptop will not boot`]);
  });

  it('sends nothing a user turned off in their notification preferences', async () => {
    const { customer, customerEmail, agent } = await harness.organizationWithCustomer({ preferences: { ticketCreated: false, agentReply: false } });
    const ticket = await harness.openTicket(customer);
    await harness.comment(agent, ticket.id, 'We are on it');
    await harness.settled();

    expect(harness.sink.mailsTo(customerEmail)).toEqual([]);
    expect(await harness.deliveriesTo(customerEmail)).toEqual([]);
  });

  it('sends one mail when the same event is delivered twice', async () => {
    const { customer, customerEmail } = await harness.organizationWithCustomer();
    const ticket = await harness.openTicket(customer);
    await harness.settled();
    const created = (await harness.ticket.storedEvents()).find((event) => event.envelope.type === 'ticket.created' && event.envelope.aggregateId === ticket.id);

    await harness.publishDuplicate(created!.envelope);
    await harness.settled();

    expect(harness.sink.mailsTo(customerEmail)).toHaveLength(1);
    expect(await harness.deliveriesTo(customerEmail)).toHaveLength(1);
  });

  it('escapes user content that reached the database unsanitized in the HTML part', async () => {
    const { customer, customerEmail, organization } = await harness.organizationWithCustomer({ customerName: '<script>alert("name")</script>' });
    await harness.ticket.dataSource.query(`UPDATE helpdesk.organizations SET name = $2 WHERE id = $1`, [organization.id, '<img src=x onerror=alert(1)> & Co']);
    await harness.openTicket(customer);
    await harness.settled();

    const [mail] = harness.sink.mailsTo(customerEmail);
    expect(mail!.html).not.toContain('<script');
    expect(mail!.html).not.toContain('<img');
    expect(mail!.html).toContain('Hello &lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;,');
    expect(mail!.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; Co');
  });

  it("answers a ticket's mail context only inside the ticket's organization", async () => {
    const { customer, customerEmail, agent, organization } = await harness.organizationWithCustomer({ organizationName: 'Initech Help' });
    const other = await harness.organizationWithCustomer();
    const ticket = await harness.openTicket(customer);

    const context = await harness.ticket.send<NotificationContextReply>(subjects.notifications.ticketContext, { orgId: organization.id, ticketId: ticket.id, authorId: agent.userId });
    expect(context).toMatchObject({
      organization: { id: organization.id, name: 'Initech Help' },
      ticket: { id: ticket.id, number: ticket.number, requesterId: customer.userId, assigneeId: null },
      requester: { id: customer.userId, email: customerEmail, role: 'customer', active: true, notificationPreferences: {} },
      author: { id: agent.userId, role: 'agent' },
    });
    expect(context.assignee).toBeUndefined();
    expect(await harness.ticket.fail(subjects.notifications.ticketContext, { orgId: other.organization.id, ticketId: ticket.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.ticket.fail(subjects.notifications.ticketContext, { orgId: organization.id, ticketId: 'nope' })).toMatchObject({ code: 'VALIDATION' });
  });

  it("answers a user's account-mail context only inside the user's organization", async () => {
    const { customer, customerEmail, organization } = await harness.organizationWithCustomer({ organizationName: 'Umbrella Desk' });
    const other = await harness.organizationWithCustomer();

    const context = await harness.ticket.send<NotificationUserContextReply>(subjects.notifications.userContext, { orgId: organization.id, userId: customer.userId });
    expect(context).toMatchObject({ organization: { id: organization.id, name: 'Umbrella Desk' }, user: { id: customer.userId, email: customerEmail, active: true } });
    expect(await harness.ticket.fail(subjects.notifications.userContext, { orgId: other.organization.id, userId: customer.userId })).toMatchObject({ code: 'NOT_FOUND' });
  });
});
