import { MetricsService } from '@helpdesk/common';
import { subjects, type TicketView, type UserView } from '@helpdesk/contracts';
import { randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_BASE_URL, NotificationHarness } from '../testing/notification-harness.js';

describe('an organization whose signup address is not verified', () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    harness = await NotificationHarness.start('notification-unverified');
  });

  afterAll(() => harness?.stop());

  const subjectsTo = (address: string) => harness.sink.mailsTo(address).map((mail) => mail.subject).sort();
  const suppressed = async () => {
    const counter = harness.service.app.get(MetricsService).registry.getSingleMetric('helpdesk_mail_suppressed_total') as Counter | undefined;
    return (await counter?.get())?.values.filter((value) => value.labels.reason === 'unverified_organization').reduce((sum, value) => sum + value.value, 0) ?? 0;
  };
  const outsider = () => `someone-${randomBytes(3).toString('hex')}@elsewhere.example`;

  async function unverifiedDesk() {
    const { admin, reply } = await harness.ticket.signup(`Fresh ${randomBytes(2).toString('hex')}`, { emailVerified: false });
    const customer = await harness.ticket.addUser(admin.orgId, 'customer');
    return { admin, organization: reply.organization, adminEmail: reply.user.email, customer, customerEmail: await harness.emailOf(customer.userId) };
  }

  it('mails only its staff: customer mails are dropped, counted and logged, invitations refused; the admin gets the verification link', async () => {
    const before = await suppressed();
    const { admin, adminEmail, customer, customerEmail } = await unverifiedDesk();
    const victim = outsider();
    const invitee = outsider();

    const byCustomer = await harness.openTicket(customer, 'Printer on fire');
    await harness.ticket.send<TicketView>(subjects.tickets.create, { principal: admin, subject: 'Cheap pills', description: 'Buy now', requesterEmail: victim });
    expect(await harness.ticket.fail(subjects.users.invite, { principal: admin, name: 'Nina New', email: invitee, role: 'agent' })).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/^Verify your organization’s email address before adding users/),
    });
    await harness.settled();

    expect(harness.sink.mailsTo(customerEmail)).toEqual([]);
    expect(harness.sink.mailsTo(victim)).toEqual([]);
    expect(harness.sink.mailsTo(invitee)).toEqual([]);
    expect(subjectsTo(adminEmail)).toEqual([`[#${byCustomer.number}] New ticket: Printer on fire`, expect.stringMatching(/^Verify the email address of /)].sort());
    const verification = harness.sink.mailsTo(adminEmail).find((mail) => mail.subject.startsWith('Verify'))!;
    expect(verification.text).toMatch(new RegExp(`${APP_BASE_URL}/verify-email\\?token=[\\w-]+`));
    expect((await suppressed()) - before).toBe(2);
    expect(harness.logs().filter((line) => line.reason === 'unverified_organization' && line.orgId === admin.orgId).map((line) => line.template).sort()).toEqual(['ticket-created', 'ticket-created']);
  });

  it('mails customers and invitees once the mailed link has been followed', async () => {
    const { admin, adminEmail, customer, customerEmail } = await unverifiedDesk();
    await harness.settled();
    const token = new RegExp(`${APP_BASE_URL}/verify-email\\?token=([\\w-]+)`).exec(harness.sink.mailsTo(adminEmail)[0]!.text)![1]!;
    await harness.ticket.send(subjects.auth.confirmEmailVerification, { token });
    const invitee = outsider();

    const ticket = await harness.openTicket(customer, 'VPN drops');
    await harness.ticket.send<UserView>(subjects.users.invite, { principal: admin, name: 'Nina New', email: invitee, role: 'agent' });
    await harness.settled();

    expect(subjectsTo(customerEmail)).toEqual([`We received your request #${ticket.number}: VPN drops`]);
    expect(subjectsTo(invitee)).toEqual([expect.stringMatching(/^You are invited to /)]);
  });
});
