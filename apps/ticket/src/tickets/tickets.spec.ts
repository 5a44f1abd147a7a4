import { subjects, type Page, type Principal, type TicketHistoryEntry, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

describe('tickets', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let otherAdmin: Principal;

  const create = (principal: Principal, fields: Record<string, unknown> = {}) =>
    harness.send<TicketView>(subjects.tickets.create, { principal, subject: 'Printer is on fire', description: '<p>It smokes.</p>', ...fields });

  beforeAll(async () => {
    harness = await TicketHarness.start('tickets');
    ({ admin } = await harness.signup('Acme Support'));
    agent = await harness.addUser(admin.orgId, 'agent');
    ({ admin: otherAdmin } = await harness.signup('Globex Helpdesk'));
  });

  afterAll(() => harness?.stop());

  it('opens a ticket with a number, status new and SLA due times from the normal policy', async () => {
    const ticket = await create(admin);
    expect(ticket).toMatchObject({ number: 1, status: 'new', priority: 'normal', subject: 'Printer is on fire', requesterId: admin.userId, version: 1 });
    expect(ticket.slaPolicyId).not.toBeNull();
    expect(new Date(ticket.firstResponseDueAt!).getTime()).toBeGreaterThan(new Date(ticket.createdAt).getTime());
    expect(new Date(ticket.resolutionDueAt!).getTime()).toBeGreaterThan(new Date(ticket.firstResponseDueAt!).getTime());
  });

  it('gives 100 concurrent tickets of one organization 100 distinct consecutive numbers', async () => {
    const { admin: busyAdmin } = await harness.signup('Busy Desk');
    const tickets = await Promise.all(Array.from({ length: 100 }, (_, index) => create(busyAdmin, { subject: `Request ${index}` })));
    const numbers = tickets.map((ticket) => ticket.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
  });

  it('sanitizes the description and strips markup from the subject on write', async () => {
    const ticket = await create(admin, { subject: '<b>Urgent</b> <script>alert(1)</script>help', description: '<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">x</a></p>' });
    expect(ticket.subject).toBe('Urgent help');
    expect(ticket.description).not.toMatch(/script|onclick|javascript:/i);
    expect(ticket.description).toContain('Hi');
  });

  it('lets staff open a ticket for a requester by email, creating the customer once', async () => {
    const first = await create(agent, { requesterEmail: 'Grace@Example.com', requesterName: 'Grace' });
    const second = await create(agent, { requesterEmail: 'grace@example.COM' });
    expect(first.requesterId).toBe(second.requesterId);
    expect(first.requesterId).not.toBe(agent.userId);
  });

  it('refuses a customer opening a ticket for someone else', async () => {
    const customer = await harness.addUser(admin.orgId, 'customer');
    expect(await harness.fail(subjects.tickets.create, { principal: customer, subject: 'x', description: 'y', requesterEmail: 'victim@example.com' })).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses to open a ticket for a deactivated caller or one asserting another organization, and trusts the stored role over the asserted one', async () => {
    const leaver = await harness.addUser(admin.orgId, 'agent');
    await harness.dataSource.query('UPDATE helpdesk.users SET active = false WHERE id = $1', [leaver.userId]);
    expect(await harness.fail(subjects.tickets.create, { principal: leaver, subject: 'x', description: 'y' })).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await harness.fail(subjects.tickets.create, { principal: { ...agent, orgId: otherAdmin.orgId }, subject: 'x', description: 'y' })).toMatchObject({ code: 'UNAUTHORIZED' });

    const customer = await harness.addUser(admin.orgId, 'customer');
    const posing = { ...customer, role: 'admin' as const };
    expect(await harness.fail(subjects.tickets.create, { principal: posing, subject: 'x', description: 'y', requesterEmail: 'victim@example.com' })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await create(posing)).toMatchObject({ channel: 'web', requesterId: customer.userId });
    const [{ count }] = (await harness.dataSource.query('SELECT count(*)::int AS count FROM helpdesk.tickets WHERE requester_id = $1', [leaver.userId])) as Array<{ count: number }>;
    expect(count).toBe(0);
  });

  it('shows customers only their own tickets', async () => {
    const alice = await harness.addUser(admin.orgId, 'customer');
    const bob = await harness.addUser(admin.orgId, 'customer');
    const alicesTicket = await create(alice, { subject: 'Alice needs help' });
    await create(bob, { subject: 'Bob needs help' });
    const list = await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: alice });
    expect(list.items.map((ticket) => ticket.subject)).toEqual(['Alice needs help']);
    expect(await harness.fail(subjects.tickets.get, { principal: bob, ticketId: alicesTicket.id })).toMatchObject({ code: 'NOT_FOUND' });
    const filtered = await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: alice, requesterId: bob.userId });
    expect(filtered.items.every((ticket) => ticket.requesterId === alice.userId)).toBe(true);
  });

  it('answers every command on another organization\'s ticket as not found', async () => {
    const ticket = await create(admin, { subject: 'Internal to Acme' });
    expect(await harness.fail(subjects.tickets.get, { principal: otherAdmin, ticketId: ticket.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.tickets.update, { principal: otherAdmin, ticketId: ticket.id, changes: { status: 'solved' } })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.tickets.history, { principal: otherAdmin, ticketId: ticket.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.comments.create, { principal: otherAdmin, ticketId: ticket.id, body: 'hello' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.comments.list, { principal: otherAdmin, ticketId: ticket.id })).toMatchObject({ code: 'NOT_FOUND' });
    const theirs = await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: otherAdmin, limit: 100 });
    expect(theirs.items.find((item) => item.id === ticket.id)).toBeUndefined();
  });

  it('refuses a principal that claims another organization or a deactivated account', async () => {
    expect(await harness.fail(subjects.tickets.list, { principal: { ...agent, orgId: otherAdmin.orgId } })).toMatchObject({ code: 'UNAUTHORIZED' });
    const leaver = await harness.addUser(admin.orgId, 'agent');
    await harness.dataSource.query('UPDATE helpdesk.users SET active = false WHERE id = $1', [leaver.userId]);
    expect(await harness.fail(subjects.tickets.list, { principal: leaver })).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('uses the current role from the database, not the one claimed', async () => {
    const customer = await harness.addUser(admin.orgId, 'customer');
    const ticket = await create(admin);
    expect(await harness.fail(subjects.tickets.update, { principal: { ...customer, role: 'admin' }, ticketId: ticket.id, changes: { status: 'open' } })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('updates with optimistic locking and records every change in the history', async () => {
    const ticket = await create(admin);
    const updated = await harness.send<TicketView>(subjects.tickets.update, { principal: agent, ticketId: ticket.id, expectedVersion: 1, changes: { status: 'open', assigneeId: agent.userId, tags: ['VPN', 'vpn', 'network'] } });
    expect(updated).toMatchObject({ status: 'open', assigneeId: agent.userId, tags: ['vpn', 'network'], version: 2 });
    const stale = await harness.fail(subjects.tickets.update, { principal: admin, ticketId: ticket.id, expectedVersion: 1, changes: { priority: 'high' } });
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { currentVersion: 2 } });
    const { items: history } = await harness.send<Page<TicketHistoryEntry>>(subjects.tickets.history, { principal: admin, ticketId: ticket.id });
    expect(history.map((entry) => entry.action)).toEqual(['created', 'updated']);
    expect(history[1]).toMatchObject({ actorId: agent.userId, changes: { status: { from: 'new', to: 'open' }, assigneeId: { from: null, to: agent.userId } } });
  });

  it('refuses to assign a ticket to a customer or another organization\'s agent', async () => {
    const ticket = await create(admin);
    const customer = await harness.addUser(admin.orgId, 'customer');
    const outsider = await harness.addUser(otherAdmin.orgId, 'agent');
    for (const assigneeId of [customer.userId, outsider.userId]) {
      expect(await harness.fail(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { assigneeId } })).toMatchObject({ code: 'VALIDATION' });
    }
  });

  it('does not let customers change tickets or read their history', async () => {
    const customer = await harness.addUser(admin.orgId, 'customer');
    const ticket = await create(customer);
    expect(await harness.fail(subjects.tickets.update, { principal: customer, ticketId: ticket.id, changes: { priority: 'urgent' } })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await harness.fail(subjects.tickets.history, { principal: customer, ticketId: ticket.id })).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("keeps a customer's priority as requestedPriority: the ticket gets the default priority and its SLA policy", async () => {
    const customer = await harness.addUser(admin.orgId, 'customer');
    const byStaff = await create(agent, { priority: 'urgent' });
    const normal = await create(agent);

    const requested = await create(customer, { priority: 'urgent' });
    const unrequested = await create(customer);
    const seenByStaff = await harness.send<TicketView>(subjects.tickets.get, { principal: agent, ticketId: requested.id });
    const seenByCustomer = await harness.send<TicketView>(subjects.tickets.get, { principal: customer, ticketId: requested.id });

    expect(requested).toMatchObject({ priority: 'normal', requestedPriority: 'urgent', slaPolicyId: normal.slaPolicyId, resolutionDueAt: expect.any(String) });
    expect(seenByStaff).toMatchObject({ priority: 'normal', requestedPriority: 'urgent' });
    expect(seenByCustomer).toMatchObject({ priority: 'normal', requestedPriority: 'urgent' });
    expect(unrequested.requestedPriority).toBeNull();
    expect(byStaff).toMatchObject({ priority: 'urgent', requestedPriority: null });
    expect(byStaff.slaPolicyId).not.toBe(normal.slaPolicyId);
  });

  it('refuses tags from a customer, naming them, and opens nothing', async () => {
    const customer = await harness.addUser(admin.orgId, 'customer');

    const refused = await harness.fail(subjects.tickets.create, { principal: customer, subject: 'Tag me', description: 'x', tags: ['billing'] });
    const untagged = await create(customer, { tags: [] });

    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: 'tags are set by staff; customers cannot set tags' });
    expect(untagged.tags).toEqual([]);
    const [{ count }] = (await harness.dataSource.query('SELECT count(*)::int AS count FROM helpdesk.tickets WHERE requester_id = $1', [customer.userId])) as Array<{ count: number }>;
    expect(count).toBe(1);
  });

  it('refuses a channel from a customer, naming it, and opens nothing; a customer’s ticket is channel web, staff choose theirs', async () => {
    const customer = await harness.addUser(admin.orgId, 'customer');

    const refused = await harness.fail(subjects.tickets.create, { principal: customer, subject: 'Phoned in, honestly', description: 'x', channel: 'phone' });
    const byCustomer = await create(customer);
    const byStaff = await create(agent, { channel: 'phone' });
    const byStaffDefault = await create(agent);

    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: 'channel is set by staff; customers cannot set channel' });
    const [{ count }] = (await harness.dataSource.query('SELECT count(*)::int AS count FROM helpdesk.tickets WHERE requester_id = $1', [customer.userId])) as Array<{ count: number }>;
    expect(count).toBe(1);
    expect(byCustomer.channel).toBe('web');
    expect(byStaff.channel).toBe('phone');
    expect(byStaffDefault.channel).toBe('api');
  });

  it('recomputes due times when the priority changes', async () => {
    const ticket = await create(admin, { priority: 'low' });
    const urgent = await harness.send<TicketView>(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { priority: 'urgent' } });
    expect(new Date(urgent.resolutionDueAt!).getTime()).toBeLessThan(new Date(ticket.resolutionDueAt!).getTime());
    expect(urgent.slaPolicyId).not.toBe(ticket.slaPolicyId);
  });

  it('rejects invalid commands with the fields named', async () => {
    const failure = await harness.fail(subjects.tickets.create, { principal: admin, subject: '', description: 5, priority: 'whenever', extra: true });
    expect(failure.code).toBe('VALIDATION');
    expect(failure.details).toEqual(expect.arrayContaining([expect.stringMatching(/^subject/), expect.stringMatching(/^description/), expect.stringMatching(/^priority/), 'property extra should not exist']));
  });

  describe('listing', () => {
    let listAdmin: Principal;
    beforeAll(async () => {
      ({ admin: listAdmin } = await harness.signup('List Desk'));
      const fixtures = [
        { subject: 'VPN drops every hour', priority: 'high', tags: ['vpn'] },
        { subject: 'Invoice has the wrong address', priority: 'low', tags: ['billing'] },
        { subject: 'Cannot log in to the portal', priority: 'urgent', tags: ['auth'] },
        { subject: 'Printer jams on duplex', priority: 'normal', tags: ['hardware'] },
        { subject: 'Refund for duplicate invoice', priority: 'high', tags: ['billing'] },
      ];
      for (const fixture of fixtures) await create(listAdmin, { ...fixture, description: `<p>${fixture.subject} since Monday</p>` });
    });

    const list = (filters: Record<string, unknown>) => harness.send<Page<TicketView>>(subjects.tickets.list, { principal: listAdmin, ...filters });

    it('filters by priority, tag and status', async () => {
      expect((await list({ priority: ['high'] })).items.map((t) => t.subject).sort()).toEqual(['Refund for duplicate invoice', 'VPN drops every hour']);
      expect((await list({ tag: 'billing' })).items).toHaveLength(2);
      expect((await list({ status: ['solved'] })).items).toHaveLength(0);
      expect((await list({ assigneeId: 'none' })).items).toHaveLength(5);
    });

    it('searches subject and description with web search syntax, safely', async () => {
      expect((await list({ q: 'invoice' })).items.map((t) => t.subject).sort()).toEqual(['Invoice has the wrong address', 'Refund for duplicate invoice']);
      expect((await list({ q: 'invoice -refund' })).items.map((t) => t.subject)).toEqual(['Invoice has the wrong address']);
      expect((await list({ q: "'; DROP TABLE helpdesk.tickets; --" })).items).toHaveLength(0);
      expect((await list({ q: '"unbalanced & | ! (' })).items).toHaveLength(0);
    });

    it('sorts by priority and pages with a cursor without gaps or repeats', async () => {
      const seen: TicketView[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await list({ sort: '-priority', limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.map((t) => t.priority)).toEqual(['urgent', 'high', 'high', 'normal', 'low']);
      expect(new Set(seen.map((t) => t.id)).size).toBe(5);
    });

    it('finds a ticket by its exact number, only among the tickets the caller may see', async () => {
      const [third] = (await list({ number: 3 })).items;
      expect(third).toMatchObject({ number: 3, subject: 'Cannot log in to the portal' });
      expect((await list({ number: 6 })).items).toEqual([]);
      // Another organization has its own ticket 3; a customer sees only their own tickets, whatever the number.
      expect((await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: otherAdmin, number: 3 })).items.map((t) => t.id)).not.toContain(third!.id);
      const customer = await harness.addUser(listAdmin.orgId, 'customer');
      expect((await harness.send<Page<TicketView>>(subjects.tickets.list, { principal: customer, number: 3 })).items).toEqual([]);
    });

    it('refuses a number that is not an integer from 1 to 2147483647, saying so once', async () => {
      for (const number of [0, -1, 1.5, 2_147_483_648, '12abc']) {
        expect(await harness.fail(subjects.tickets.list, { principal: listAdmin, number })).toMatchObject({
          code: 'VALIDATION',
          details: ['number must be a ticket number: an integer from 1 to 2147483647'],
        });
      }
    });

    it('refuses a forged cursor and an unknown sort', async () => {
      expect(await harness.fail(subjects.tickets.list, { principal: listAdmin, cursor: 'not-a-cursor' })).toMatchObject({ code: 'VALIDATION' });
      expect(await harness.fail(subjects.tickets.list, { principal: listAdmin, sort: 'subject; DROP' })).toMatchObject({ code: 'VALIDATION' });
    });
  });
});
