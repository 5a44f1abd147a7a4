import { subjects, type CommentView, type Page, type Principal, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

describe('comments', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;

  beforeAll(async () => {
    harness = await TicketHarness.start('comments');
    ({ admin } = await harness.signup());
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
  });

  afterAll(() => harness?.stop());

  const openAsCustomer = () => harness.send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'My laptop will not boot', description: 'Black screen' });
  const comment = (principal: Principal, ticketId: string, body: string, internal = false) => harness.send<CommentView>(subjects.comments.create, { principal, ticketId, body, internal });
  const ticketOf = (ticketId: string) => harness.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId });

  it('never shows internal notes to the customer, and shows them to staff', async () => {
    const ticket = await openAsCustomer();
    await comment(agent, ticket.id, 'Customer is on the old firmware', true);
    await comment(agent, ticket.id, 'Could you hold the power button for 10 seconds?');
    const asCustomer = await harness.send<Page<CommentView>>(subjects.comments.list, { principal: customer, ticketId: ticket.id });
    expect(asCustomer.items.map((item) => item.body)).toEqual(['Could you hold the power button for 10 seconds?']);
    const asAgent = await harness.send<Page<CommentView>>(subjects.comments.list, { principal: agent, ticketId: ticket.id });
    expect(asAgent.items.map((item) => item.internal)).toEqual([true, false]);
  });

  it('pages the conversation newest first when asked, with a cursor that goes back in time', async () => {
    const ticket = await openAsCustomer();
    for (const body of ['first', 'second', 'third']) await comment(agent, ticket.id, body);
    const page = (cursor?: string) =>
      harness.send<Page<CommentView>>(subjects.comments.list, { principal: customer, ticketId: ticket.id, order: 'newest', limit: 2, ...(cursor ? { cursor } : {}) });
    const newest = await page();
    expect(newest.items.map((item) => item.body)).toEqual(['third', 'second']);
    const older = await page(newest.nextCursor!);
    expect(older).toEqual({ items: [expect.objectContaining({ body: 'first' })], nextCursor: null });
    expect(await harness.fail(subjects.comments.list, { principal: customer, ticketId: ticket.id, order: 'sideways' })).toMatchObject({ code: 'VALIDATION' });
  });

  it('refuses internal notes from customers', async () => {
    const ticket = await openAsCustomer();
    expect(await harness.fail(subjects.comments.create, { principal: customer, ticketId: ticket.id, body: 'sneaky', internal: true })).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('counts the first public agent reply as the first response and opens a new ticket', async () => {
    const ticket = await openAsCustomer();
    const reply = await comment(agent, ticket.id, 'Looking into it');
    const after = await ticketOf(ticket.id);
    expect(after.firstRespondedAt).toBe(reply.createdAt);
    expect(after.status).toBe('open');
  });

  it('reopens a pending ticket when the customer answers, and resumes its clock', async () => {
    const ticket = await openAsCustomer();
    await comment(agent, ticket.id, 'Please send a photo');
    await harness.send(subjects.tickets.update, { principal: agent, ticketId: ticket.id, changes: { status: 'pending' } });
    await comment(customer, ticket.id, 'Here it is');
    const after = await ticketOf(ticket.id);
    expect(after.status).toBe('open');
    expect(new Date(after.resolutionDueAt!).getTime()).toBeGreaterThanOrEqual(new Date(ticket.resolutionDueAt!).getTime());
  });

  it('sanitizes comment HTML and refuses comments without text', async () => {
    const ticket = await openAsCustomer();
    const saved = await comment(customer, ticket.id, '<p>Thanks<img src=x onerror=alert(1)></p>');
    expect(saved.body).toBe('<p>Thanks</p>');
    expect(await harness.fail(subjects.comments.create, { principal: customer, ticketId: ticket.id, body: '<script>alert(1)</script>' })).toMatchObject({ code: 'VALIDATION' });
  });

  it('makes public replies searchable, but not internal notes', async () => {
    const ticket = await openAsCustomer();
    await comment(agent, ticket.id, 'Replaced the motherboard', false);
    await comment(agent, ticket.id, 'Warranty fraud suspected', true);
    const found = await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: admin, q: 'motherboard' });
    expect(found.items.map((item) => item.id)).toContain(ticket.id);
    const hidden = await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: customer, q: 'fraud' });
    expect(hidden.items).toHaveLength(0);
  });

  it('refuses comments on closed tickets', async () => {
    const ticket = await openAsCustomer();
    await harness.send(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { status: 'closed' } });
    expect(await harness.fail(subjects.comments.create, { principal: customer, ticketId: ticket.id, body: 'Hello?' })).toMatchObject({ code: 'CONFLICT' });
  });
});
