import { subjects, type IssuedLinkToken, type OrganizationView, type Principal, type SatisfactionSurveyView, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

/** Customer satisfaction as the ticket service answers it: survey links for the solved mail, then the public rating commands. */
describe('customer satisfaction', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let otherAdmin: Principal;

  const openTicket = async (principal: Principal = customer) => harness.send<TicketView>(subjects.tickets.create, { principal, subject: 'Printer on fire', description: 'Smoke everywhere' });
  const solve = (ticket: TicketView) => harness.send<TicketView>(subjects.tickets.update, { principal: agent, ticketId: ticket.id, changes: { status: 'solved' } });
  const issue = (ticket: TicketView, userId = ticket.requesterId) => harness.send<IssuedLinkToken>(subjects.satisfaction.issueLink, { ticketId: ticket.id, userId });
  const rate = (token: string, rating: string, comment?: string) => harness.send<SatisfactionSurveyView>(subjects.satisfaction.rate, { token, rating, ...(comment === undefined ? {} : { comment }) });
  const staffView = (ticket: TicketView, principal: Principal = agent) => harness.send<TicketView>(subjects.tickets.get, { principal, ticketId: ticket.id });
  const ratedEvents = async (ticketId: string) =>
    (await harness.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'ticket.satisfaction_rated' ORDER BY id`, [ticketId])) as Array<{ envelope: { actor: unknown; data: { previousRating: unknown; satisfaction: { rating: string; comment: string | null } } } }>;

  beforeAll(async () => {
    harness = await TicketHarness.start('satisfaction');
    ({ admin } = await harness.signup('Acme Support'));
    ({ admin: otherAdmin } = await harness.signup('Globex Helpdesk'));
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
  });

  afterAll(() => harness?.stop());

  it('rates a ticket through its link, shows the rating to staff only, and records it once in history and events', async () => {
    const ticket = await solve(await openTicket());
    const link = await issue(ticket);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(link.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);

    const before = await harness.send<SatisfactionSurveyView>(subjects.satisfaction.get, { token: link.token });
    expect(before).toEqual({ organizationName: 'Acme Support', ticket: { number: ticket.number, subject: 'Printer on fire' }, rating: null, comment: null, changeableUntil: link.expiresAt });
    const unrated = await staffView(ticket);
    expect(unrated.satisfaction).toBeNull();

    const rated = await rate(link.token, 'good');
    expect(rated).toMatchObject({ rating: 'good', comment: null });
    // The same click again (a mail scanner, a double click) changes and records nothing.
    await rate(link.token, 'good');
    const withComment = await rate(link.token, 'bad', '  <b>Still</b> smoking  ');
    expect(withComment).toMatchObject({ rating: 'bad', comment: 'Still smoking' });
    // A one-click link (the rating alone) keeps the comment; an empty one removes it.
    expect(await rate(link.token, 'good')).toMatchObject({ rating: 'good', comment: 'Still smoking' });
    expect(await rate(link.token, 'good', '')).toMatchObject({ rating: 'good', comment: null });
    await rate(link.token, 'bad', 'Still smoking');

    const seen = await staffView(ticket);
    // Five changes (the repeated click is none), five versions: the ticket's ETag moves with its rating.
    expect(seen.version).toBe(unrated.version + 5);
    expect(seen.satisfaction).toMatchObject({ rating: 'bad', comment: 'Still smoking' });
    expect(Date.parse(seen.satisfaction!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(seen.satisfaction!.ratedAt));
    expect((await staffView(ticket, customer)).satisfaction).toBeUndefined();

    const events = await ratedEvents(ticket.id);
    expect(events.map(({ envelope }) => [envelope.data.previousRating, envelope.data.satisfaction.rating, envelope.data.satisfaction.comment])).toEqual([
      [null, 'good', null],
      ['good', 'bad', 'Still smoking'],
      ['bad', 'good', 'Still smoking'],
      ['good', 'good', null],
      ['good', 'bad', 'Still smoking'],
    ]);
    expect(events[0]!.envelope.actor).toEqual({ userId: customer.userId, role: 'customer' });
    const history = (await harness.dataSource.query(`SELECT actor_id, changes FROM helpdesk.ticket_events WHERE ticket_id = $1 AND action = 'satisfaction.rated' ORDER BY created_at`, [ticket.id])) as Array<{ actor_id: string; changes: unknown }>;
    expect(history).toHaveLength(5);
    expect(history.slice(0, 2)).toEqual([
      { actor_id: customer.userId, changes: { satisfaction: { from: null, to: { rating: 'good', comment: null } } } },
      { actor_id: customer.userId, changes: { satisfaction: { from: 'good', to: { rating: 'bad', comment: 'Still smoking' } } } },
    ]);
  });

  it('stores only the hash of a link, and a new link (the ticket solved again) voids the previous one but keeps the rating', async () => {
    const ticket = await solve(await openTicket());
    const first = await issue(ticket);
    await rate(first.token, 'good', 'Quick');
    const [row] = (await harness.dataSource.query(`SELECT * FROM helpdesk.satisfaction_surveys WHERE ticket_id = $1`, [ticket.id])) as Array<Record<string, unknown>>;
    expect(JSON.stringify(row)).not.toContain(first.token);

    const second = await issue(ticket);
    expect(await harness.fail(subjects.satisfaction.get, { token: first.token })).toMatchObject({ code: 'NOT_FOUND', message: 'This rating link is not valid' });
    expect(await harness.send<SatisfactionSurveyView>(subjects.satisfaction.get, { token: second.token })).toMatchObject({ rating: 'good', comment: 'Quick' });
  });

  it('refuses an expired link, an unknown one, and a rating that is neither good nor bad', async () => {
    const ticket = await solve(await openTicket());
    const link = await issue(ticket);
    expect(await harness.fail(subjects.satisfaction.rate, { token: link.token, rating: 'meh' })).toMatchObject({ code: 'VALIDATION' });
    expect(await harness.fail(subjects.satisfaction.rate, { token: link.token, rating: 'good', comment: 'x'.repeat(2_001) })).toMatchObject({ code: 'VALIDATION' });
    expect(await harness.fail(subjects.satisfaction.get, { token: 'A'.repeat(43) })).toMatchObject({ code: 'NOT_FOUND' });

    await harness.dataSource.query(`UPDATE helpdesk.satisfaction_surveys SET expires_at = now() - interval '1 second' WHERE ticket_id = $1`, [ticket.id]);
    const expired = await harness.fail(subjects.satisfaction.rate, { token: link.token, rating: 'good' });
    expect(expired).toMatchObject({ code: 'NOT_FOUND' });
    expect(expired.message).toContain('expired');
    expect((await staffView(ticket)).satisfaction).toBeNull();
  });

  it('issues no link for a merged ticket, nor for someone who is not its requester', async () => {
    const source = await openTicket();
    const target = await openTicket();
    await harness.send(subjects.tickets.merge, { principal: agent, ticketId: source.id, targetId: target.id });
    expect(await harness.fail(subjects.satisfaction.issueLink, { ticketId: source.id, userId: source.requesterId })).toMatchObject({ code: 'CONFLICT' });
    expect(await harness.fail(subjects.satisfaction.issueLink, { ticketId: target.id, userId: agent.userId })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets an admin turn surveys off for the organization, and no one else', async () => {
    const organization = await harness.send<OrganizationView>(subjects.organizations.get, { principal: admin });
    expect(organization.satisfactionSurveys).toBe(true);
    expect(await harness.fail(subjects.organizations.update, { principal: agent, changes: { satisfactionSurveys: false } })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await harness.fail(subjects.organizations.update, { principal: admin, changes: { satisfactionSurveys: 'no' } })).toMatchObject({ code: 'VALIDATION' });
    const off = await harness.send<OrganizationView>(subjects.organizations.update, { principal: admin, changes: { satisfactionSurveys: false } });
    expect(off.satisfactionSurveys).toBe(false);
    expect((await harness.send<OrganizationView>(subjects.organizations.get, { principal: otherAdmin })).satisfactionSurveys).toBe(true);
    const ticket = await solve(await openTicket());
    const context = await harness.send<{ organization: { satisfactionSurveys?: boolean } }>(subjects.notifications.ticketContext, { orgId: admin.orgId, ticketId: ticket.id });
    expect(context.organization.satisfactionSurveys).toBe(false);
    await harness.send(subjects.organizations.update, { principal: admin, changes: { satisfactionSurveys: true } });
  });
});
