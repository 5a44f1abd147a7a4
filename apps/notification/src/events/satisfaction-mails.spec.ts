import { subjects, type SatisfactionSurveyView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_BASE_URL, NotificationHarness } from '../testing/notification-harness.js';

const RATING_LINK = new RegExp(`${APP_BASE_URL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/rate/([A-Za-z0-9_-]{43})\\?rating=(good|bad)`, 'g');

/** The solved mail's one-click rating links, from the ticket's solve to a rating the ticket keeps. */
describe('satisfaction survey in the solved mail', () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    harness = await NotificationHarness.start('satisfaction-mails');
  });

  afterAll(() => harness?.stop());

  const solvedMail = (email: string) => harness.sink.mailsTo(email).find((mail) => mail.subject.startsWith('Solved:'));

  it('asks the requester to rate with two links that carry one freshly issued token, and the link rates the ticket', async () => {
    const { customer, customerEmail, agent } = await harness.organizationWithCustomer({ organizationName: 'Initech Care' });
    const ticket = await harness.openTicket(customer);
    await harness.updateTicket(agent, ticket.id, { status: 'solved' });
    await harness.settled();

    const mail = solvedMail(customerEmail);
    expect(mail?.text).toContain('How would you rate the support you received?');
    const links = [...mail!.text.matchAll(RATING_LINK)].map(([, token, rating]) => ({ token, rating }));
    expect(links.map((link) => link.rating)).toEqual(['good', 'bad']);
    expect(links[0]!.token).toBe(links[1]!.token);
    expect([...mail!.html.matchAll(RATING_LINK)].map(([, token]) => token)).toEqual([links[0]!.token, links[0]!.token]);
    expect(mail!.text).not.toContain('survey-link-');

    const rated = await harness.ticket.send<SatisfactionSurveyView>(subjects.satisfaction.rate, { token: links[1]!.token, rating: 'bad' });
    expect(rated).toMatchObject({ organizationName: 'Initech Care', ticket: { number: ticket.number }, rating: 'bad' });
    // The delivery log keeps the mail without its link: a bearer secret is never stored in clear.
    const [delivery] = (await harness.deliveriesTo(customerEmail)).filter((row) => row.template === 'ticket-solved');
    expect(JSON.stringify(delivery)).toContain('survey-link-');
    expect(JSON.stringify(delivery)).not.toContain(links[0]!.token);
  });

  it('sends the solved mail without a survey when the organization turned surveys off, and never for a merged ticket', async () => {
    const { admin, customer, customerEmail, agent } = await harness.organizationWithCustomer();
    await harness.ticket.send(subjects.organizations.update, { principal: admin, changes: { satisfactionSurveys: false } });
    const ticket = await harness.openTicket(customer);
    await harness.updateTicket(agent, ticket.id, { status: 'solved' });
    const source = await harness.openTicket(customer, 'Duplicate');
    await harness.ticket.send(subjects.tickets.merge, { principal: agent, ticketId: source.id, targetId: ticket.id });
    await harness.settled();

    const mail = solvedMail(customerEmail);
    expect(mail?.subject).toBe(`Solved: [#${ticket.number}] My laptop will not boot`);
    expect(mail!.text).not.toContain('/rate/');
    expect(mail!.html).not.toContain('/rate/');
    expect(harness.sink.mailsTo(customerEmail).filter((sent) => sent.subject.startsWith('Solved:'))).toHaveLength(1);
    const surveys = (await harness.ticket.dataSource.query(`SELECT ticket_id FROM helpdesk.satisfaction_surveys WHERE ticket_id = ANY($1::uuid[])`, [[ticket.id, source.id]])) as unknown[];
    expect(surveys).toEqual([]);
  });
});
