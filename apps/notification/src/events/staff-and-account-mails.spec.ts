import { subjects, type EventEnvelope, type InvitationAcceptedReply, type PasswordResetConfirmedReply, type TeamView, type UserView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_BASE_URL, NotificationHarness } from '../testing/notification-harness.js';

describe('mails to staff, to solved requesters and account mails', () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    harness = await NotificationHarness.start('notification-staff');
  });

  afterAll(() => harness?.stop());

  /** Events are planned in parallel and mails sent in parallel, so they arrive in no particular order. */
  const subjectsTo = (address: string) => harness.sink.mailsTo(address).map((mail) => mail.subject).sort();
  const mailTo = (address: string, subjectStart: string) => harness.sink.mailsTo(address).find((mail) => mail.subject.startsWith(subjectStart));

  it("tells the admins of a new ticket that has no team, but neither the requester nor the agent who opened it for them", async () => {
    const { customer, customerEmail, admin, adminEmail, agentEmail } = await harness.organizationWithCustomer();
    const secondAdmin = await harness.ticket.addUser(admin.orgId, 'admin');
    const byCustomer = await harness.openTicket(customer, 'Printer on fire');
    const forCustomer = await harness.ticket.send<{ number: number }>(subjects.tickets.create, { principal: secondAdmin, subject: 'Phoned in', description: 'x', requesterEmail: customerEmail });
    await harness.settled();

    expect(subjectsTo(adminEmail)).toEqual([`[#${byCustomer.number}] New ticket: Printer on fire`, `[#${forCustomer.number}] New ticket: Phoned in`].sort());
    expect(subjectsTo(await harness.emailOf(secondAdmin.userId))).toEqual([`[#${byCustomer.number}] New ticket: Printer on fire`]);
    expect(subjectsTo(agentEmail)).toEqual([]);
    expect(subjectsTo(customerEmail).every((subject) => subject.startsWith('We received your request'))).toBe(true);
  });

  it('mails the assignee an assignment, then the customer replies (not internal notes), and the requester when the ticket is solved', async () => {
    const { customer, customerEmail, admin, agent, agentEmail } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const ticket = await harness.openTicket(customer, 'VPN drops');
    await harness.updateTicket(admin, ticket.id, { assigneeId: agent.userId });
    await harness.comment(customer, ticket.id, '<p>It dropped <em>again</em> at 10:02.</p>');
    await harness.comment(admin, ticket.id, 'Escalate to network team, suspect the firewall', true);
    await harness.updateTicket(agent, ticket.id, { status: 'solved' });
    await harness.settled();

    expect(subjectsTo(agentEmail)).toEqual([`[#${ticket.number}] Assigned to you: VPN drops`, `Re: [#${ticket.number}] VPN drops`].sort());
    const assigned = mailTo(agentEmail, `[#${ticket.number}] Assigned`);
    const reply = mailTo(agentEmail, 'Re:');
    expect(assigned!.text).toContain('Ada Admin assigned ticket');
    expect(assigned!.text).toContain(`${APP_BASE_URL}/tickets/${ticket.id}`);
    expect(reply!.html).toContain('<p>It dropped <em>again</em> at 10:02.</p>');
    expect(reply!.text).toContain('Carla Customer replied on ticket');
    expect(subjectsTo(customerEmail)).toEqual([`We received your request #${ticket.number}: VPN drops`, `Solved: [#${ticket.number}] VPN drops`].sort());
    const everything = harness.sink.mails.map((mail) => `${mail.subject}\n${mail.text}\n${mail.html}`).join('\n');
    expect(everything).not.toContain('firewall');
  });

  it("sends SLA warnings to the assignee, breaches of an unassigned ticket to its team, else the admins, as each preference allows", async () => {
    const { customer, admin, adminEmail, agent, agentEmail } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const teamAgent = await harness.ticket.addUser(admin.orgId, 'agent');
    const team = await harness.ticket.send<TeamView>(subjects.teams.create, { principal: admin, name: 'Network' });
    await harness.ticket.send(subjects.teams.setMembers, { principal: admin, teamId: team.id, memberIds: [teamAgent.userId] });
    const teamTicket = await harness.openTicket(customer, 'Team owns it');
    await harness.updateTicket(admin, teamTicket.id, { teamId: team.id });
    const assigned = await harness.openTicket(customer, 'Slow answer');
    await harness.updateTicket(admin, assigned.id, { assigneeId: agent.userId });
    const unassigned = await harness.openTicket(customer, 'Nobody took it');
    const quiet = await harness.openTicket(customer, 'Muted');
    await harness.updateTicket(admin, quiet.id, { assigneeId: agent.userId });
    await harness.settled();
    await harness.ticket.dataSource.query(`UPDATE helpdesk.users SET notification_preferences = '{"newTicket": false, "slaBreached": false}' WHERE id = $1`, [agent.userId]);
    const sla = (type: EventEnvelope['type'], ticket: { id: string; number: number }, data: Record<string, unknown>) =>
      harness.publishEvent({ type, orgId: admin.orgId, aggregateId: ticket.id, actor: { system: 'sla' }, data: { ...data, ticket: { id: ticket.id, number: ticket.number } } });

    await sla('ticket.sla.warning', assigned, { target: 'first_response', warningAt: '2026-11-29T10:00:00.000Z' });
    await sla('ticket.sla.breached', unassigned, { target: 'resolution', dueAt: '2026-11-29T12:00:00.000Z' });
    await sla('ticket.sla.breached', quiet, { target: 'resolution', dueAt: '2026-11-29T12:00:00.000Z' });
    await sla('ticket.sla.breached', teamTicket, { target: 'resolution', dueAt: '2026-11-29T12:00:00.000Z' });
    await harness.settled();

    expect(subjectsTo(agentEmail).filter((subject) => subject.includes('SLA'))).toEqual([`[#${assigned.number}] SLA warning: first response, Slow answer`]);
    expect(subjectsTo(adminEmail)).toEqual([`[#${unassigned.number}] SLA breached: resolution, Nobody took it`]);
    expect(harness.sink.mailsTo(adminEmail)[0]!.text).toContain('missed its resolution target (due 2026-11-29T12:00:00.000Z)');
    // Only the SLA mails: whether the team also hears of the ticket's creation depends on whether the move to the team came first.
    expect(subjectsTo(await harness.emailOf(teamAgent.userId)).filter((subject) => subject.includes('SLA'))).toEqual([`[#${teamTicket.number}] SLA breached: resolution, Team owns it`]);
  });

  it('mails an invitation whose single-use link sets the password, and keeps the token out of the stream and the delivery log', async () => {
    const { admin } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const email = `nina-${Date.now()}@example.com`;
    const invited = await harness.ticket.send<UserView>(subjects.users.invite, { principal: admin, name: 'Nina New', email, role: 'agent' });
    await harness.settled();

    const [mail] = harness.sink.mailsTo(email);
    expect(mail!.subject).toMatch(/^You are invited to /);
    const token = new RegExp(`${APP_BASE_URL}/accept-invite\\?token=([\\w-]+)`).exec(mail!.text)?.[1];
    expect(token).toBeDefined();
    expect(mail!.html).toContain(`href="${APP_BASE_URL}/accept-invite?token=${token}"`);
    await expectNowhereStored(token!);

    const accepted = await harness.ticket.send<InvitationAcceptedReply>(subjects.auth.acceptInvitation, { token, password: 'a long enough password' });
    expect(accepted.user.id).toBe(invited.id);
    expect(await harness.ticket.fail(subjects.auth.acceptInvitation, { token, password: 'another long password' })).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('mails a password reset link that works once, even to a user who turned every notification off', async () => {
    const { customer, customerEmail } = await harness.organizationWithCustomer({
      staffPreferences: { newTicket: false },
      preferences: { ticketCreated: false, agentReply: false, ticketSolved: false },
    });
    await harness.ticket.send(subjects.auth.requestPasswordReset, { email: customerEmail });
    await harness.settled();

    const [mail] = harness.sink.mailsTo(customerEmail);
    expect(mail!.subject).toMatch(/^Reset your .* password$/);
    const token = new RegExp(`${APP_BASE_URL}/reset-password\\?token=([\\w-]+)`).exec(mail!.text)?.[1];
    expect(token).toBeDefined();
    await expectNowhereStored(token!);
    const confirmed = await harness.ticket.send<PasswordResetConfirmedReply>(subjects.auth.confirmPasswordReset, { token, password: 'a brand new password' });
    expect(confirmed.userId).toBe(customer.userId);
  });

  it('cancels, rather than sends, an invitation replayed after its user was deactivated', async () => {
    const { admin } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const email = `late-${Date.now()}@example.com`;
    harness.sink.failWith('connection', 421);
    const invited = await harness.ticket.send<UserView>(subjects.users.invite, { principal: admin, name: 'Too Late', email, role: 'agent' });
    const dead = await harness.waitForDelivery(email, 'dead');
    harness.sink.recover();
    await harness.ticket.send(subjects.users.deactivate, { principal: admin, userId: invited.id });

    await harness.notificationCommand(subjects.notifications.replayDeadLetters, { principal: admin, deliveryIds: [dead.id] });
    await harness.settled();

    expect(harness.sink.mailsTo(email)).toEqual([]);
    expect(await harness.deliveriesTo(email)).toMatchObject([{ template: 'invitation', status: 'cancelled' }]);
  });

  /** The raw token must not be in the events stream, the outbox or the delivery log. */
  async function expectNowhereStored(token: string): Promise<void> {
    const events = JSON.stringify(await harness.ticket.storedEvents());
    const [{ outbox }] = (await harness.ticket.dataSource.query(`SELECT coalesce(string_agg(envelope::text, ''), '') AS outbox FROM helpdesk.outbox`)) as Array<{ outbox: string }>;
    const [{ log }] = (await harness.ticket.dataSource.query(`SELECT coalesce(string_agg(message::text, ''), '') AS log FROM notification.deliveries`)) as Array<{ log: string }>;
    expect(events).not.toContain(token);
    expect(outbox).not.toContain(token);
    expect(log).not.toContain(token);
  }
});
