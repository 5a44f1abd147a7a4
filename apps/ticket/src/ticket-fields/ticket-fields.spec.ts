import { subjects, TICKET_FIELD_LIMITS, type Page, type Principal, type TicketFieldView, type TicketHistoryEntry, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

describe('custom ticket fields', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let otherAdmin: Principal;

  const defineField = (principal: Principal, body: Record<string, unknown>) => harness.send<TicketFieldView>(subjects.ticketFields.create, { principal, ...body });
  const createTicket = (principal: Principal, extra: Record<string, unknown> = {}) =>
    harness.send<TicketView>(subjects.tickets.create, { principal, subject: 'Invoice is wrong', description: '<p>Charged twice.</p>', ...extra });
  const update = (principal: Principal, ticketId: string, changes: Record<string, unknown>) => harness.send<TicketView>(subjects.tickets.update, { principal, ticketId, changes });
  const updateFails = (principal: Principal, ticketId: string, changes: Record<string, unknown>) => harness.fail(subjects.tickets.update, { principal, ticketId, changes });
  const list = (principal: Principal, query: Record<string, unknown>) => harness.send<Page<TicketView>>(subjects.tickets.list, { principal, ...query });

  beforeAll(async () => {
    harness = await TicketHarness.start('ticket-fields');
    ({ admin } = await harness.signup('Acme Support'));
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
    ({ admin: otherAdmin } = await harness.signup('Globex Helpdesk'));
    await defineField(admin, { key: 'product_area', label: 'Product area', type: 'dropdown', options: ['billing', 'shipping', 'returns'] });
    await defineField(admin, { key: 'platforms', label: 'Platforms', type: 'multiselect', options: ['ios', 'android', 'web'] });
    await defineField(admin, { key: 'order_total', label: 'Order total', type: 'number' });
    await defineField(admin, { key: 'purchase_date', label: 'Purchase date', type: 'date' });
    await defineField(admin, { key: 'vip', label: 'VIP', type: 'checkbox' });
    await defineField(admin, { key: 'order_ref', label: 'Order reference', type: 'text' });
  });

  afterAll(() => harness?.stop());

  describe('definitions', () => {
    it('lists the organization fields to staff in creation order, and refuses customers', async () => {
      const { items: fields, nextCursor } = await harness.send<Page<TicketFieldView>>(subjects.ticketFields.list, { principal: agent });
      expect(nextCursor).toBeNull();
      expect(fields.map((field) => field.key)).toEqual(['product_area', 'platforms', 'order_total', 'purchase_date', 'vip', 'order_ref']);
      expect(fields[0]).toMatchObject({ label: 'Product area', type: 'dropdown', options: ['billing', 'shipping', 'returns'], requiredToSolve: false, active: true });
      expect(await harness.fail(subjects.ticketFields.list, { principal: customer })).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('lists the fields a page at a time in creation order, archived ones only when asked, until nextCursor is null', async () => {
      const { admin: pagedAdmin } = await harness.signup('Paged Desk');
      for (const key of ['zeta', 'alpha', 'mid']) await defineField(pagedAdmin, { key, label: key, type: 'text' });
      const archived = await defineField(pagedAdmin, { key: 'gone', label: 'Gone', type: 'text' });
      await harness.send(subjects.ticketFields.archive, { principal: pagedAdmin, fieldId: archived.id });
      const listPage = (query: Record<string, unknown>) => harness.send<Page<TicketFieldView>>(subjects.ticketFields.list, { principal: pagedAdmin, ...query });

      const page1 = await listPage({ limit: 2 });
      expect(page1.items.map((field) => field.key)).toEqual(['zeta', 'alpha']);
      expect(page1.nextCursor).toEqual(expect.any(String));
      expect(await listPage({ limit: 2, cursor: page1.nextCursor })).toEqual({ items: [expect.objectContaining({ key: 'mid' })], nextCursor: null });
      const withArchived = await listPage({ limit: 2, cursor: page1.nextCursor, includeArchived: true });
      expect(withArchived).toEqual({ items: [expect.objectContaining({ key: 'mid' }), expect.objectContaining({ key: 'gone', active: false })], nextCursor: null });
    });

    it('answers VALIDATION for a cursor it did not make or a limit out of 1 to 100', async () => {
      const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
      for (const query of [{ cursor: 'not-a-cursor' }, { cursor: forged }, { limit: 0 }, { limit: 101 }, { limit: 'ten' }]) {
        expect(await harness.fail(subjects.ticketFields.list, { principal: admin, ...query })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/cursor|limit/) });
      }
    });

    it("never lists another organization's fields, even given a cursor from that organization's list", async () => {
      const { admin: ours } = await harness.signup('Our Desk');
      const { admin: theirs } = await harness.signup('Their Desk');
      for (const key of ['one', 'two', 'three']) await defineField(ours, { key, label: key, type: 'text' });
      const their = await defineField(theirs, { key: 'theirs', label: 'Theirs', type: 'text' });
      const ourPage = await harness.send<Page<TicketFieldView>>(subjects.ticketFields.list, { principal: ours, limit: 1 });
      expect(await harness.send(subjects.ticketFields.list, { principal: theirs, cursor: ourPage.nextCursor })).toEqual({ items: [their], nextCursor: null });
    });

    it('lets only admins define fields', async () => {
      expect(await harness.fail(subjects.ticketFields.create, { principal: agent, key: 'severity', label: 'Severity', type: 'text' })).toMatchObject({ code: 'FORBIDDEN' });
    });

    it.each([
      ['an upper-case key', { key: 'Product', label: 'x', type: 'text' }, /key must be a lowercase slug/],
      ['a key starting with a digit', { key: '1st', label: 'x', type: 'text' }, /key must be a lowercase slug/],
      ['an unknown type', { key: 'colour', label: 'x', type: 'colour' }, /type must be one of text, number, date, dropdown, multiselect, checkbox/],
      ['a dropdown without options', { key: 'tier', label: 'Tier', type: 'dropdown' }, /a dropdown field needs options/],
      ['repeated options', { key: 'tier', label: 'Tier', type: 'dropdown', options: ['gold', 'silver', 'gold'] }, /options must be unique; repeated: gold/],
      ['options on a text field', { key: 'notes', label: 'Notes', type: 'text', options: ['a'] }, /options are only for dropdown and multiselect fields, not text/],
      ['too many options', { key: 'tier', label: 'Tier', type: 'multiselect', options: Array.from({ length: TICKET_FIELD_LIMITS.options + 1 }, (_, index) => `o${index}`) }, /options/],
    ])('refuses %s with a message naming the problem', async (_name, body, message) => {
      const error = await harness.fail(subjects.ticketFields.create, { principal: admin, ...body });
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(message);
    });

    it('refuses a key the organization already uses with CONFLICT, but another organization may use it', async () => {
      expect(await harness.fail(subjects.ticketFields.create, { principal: admin, key: 'vip', label: 'Again', type: 'checkbox' })).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/key "vip" already exists/) });
      await expect(defineField(otherAdmin, { key: 'vip', label: 'VIP', type: 'checkbox' })).resolves.toMatchObject({ key: 'vip' });
    });

    it('caps the fields of an organization', async () => {
      const { admin: busy } = await harness.signup('Busy Desk');
      await Promise.all(Array.from({ length: TICKET_FIELD_LIMITS.fieldsPerOrganization }, (_, index) => defineField(busy, { key: `field_${index}`, label: `Field ${index}`, type: 'text' })));
      const error = await harness.fail(subjects.ticketFields.create, { principal: busy, key: 'one_more', label: 'One more', type: 'text' });
      expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/at most 100 custom fields/) });
    });

    it('updates label, options and requiredToSolve, and refuses to change key or type with CONFLICT', async () => {
      const field = await defineField(admin, { key: 'channel_partner', label: 'Partner', type: 'dropdown', options: ['a'] });
      const updated = await harness.send<TicketFieldView>(subjects.ticketFields.update, { principal: admin, fieldId: field.id, changes: { label: 'Channel partner', options: ['a', 'b'], requiredToSolve: true } });
      expect(updated).toMatchObject({ key: 'channel_partner', label: 'Channel partner', options: ['a', 'b'], requiredToSolve: true });
      expect(await harness.fail(subjects.ticketFields.update, { principal: admin, fieldId: field.id, changes: { key: 'partner' } })).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/key cannot be changed/) });
      expect(await harness.fail(subjects.ticketFields.update, { principal: admin, fieldId: field.id, changes: { type: 'text' } })).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/type cannot be changed/) });
      await harness.send(subjects.ticketFields.archive, { principal: admin, fieldId: field.id });
    });

    it('answers NOT_FOUND for another organization\'s field ids, whatever the command', async () => {
      const [theirs] = (await harness.send<Page<TicketFieldView>>(subjects.ticketFields.list, { principal: otherAdmin })).items;
      expect(await harness.fail(subjects.ticketFields.get, { principal: admin, fieldId: theirs!.id })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await harness.fail(subjects.ticketFields.update, { principal: admin, fieldId: theirs!.id, changes: { label: 'Mine now' } })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await harness.fail(subjects.ticketFields.archive, { principal: admin, fieldId: theirs!.id })).toMatchObject({ code: 'NOT_FOUND' });
      expect((await harness.send<TicketFieldView>(subjects.ticketFields.get, { principal: otherAdmin, fieldId: theirs!.id })).label).toBe('VIP');
    });

    it('archives a field: hidden from the list, refused on write, kept on tickets, and restorable', async () => {
      const field = await defineField(admin, { key: 'legacy_code', label: 'Legacy code', type: 'text' });
      const ticket = await createTicket(agent, { fields: { legacy_code: 'L-1' } });
      const archived = await harness.send<TicketFieldView>(subjects.ticketFields.archive, { principal: admin, fieldId: field.id });
      expect(archived.active).toBe(false);
      expect((await harness.send<Page<TicketFieldView>>(subjects.ticketFields.list, { principal: admin, limit: 100 })).items.map((item) => item.key)).not.toContain('legacy_code');
      expect((await harness.send<Page<TicketFieldView>>(subjects.ticketFields.list, { principal: admin, includeArchived: true, limit: 100 })).items.map((item) => item.key)).toContain('legacy_code');
      expect((await updateFails(agent, ticket.id, { fields: { legacy_code: 'L-2' } })).message).toBe('fields.legacy_code is archived and can no longer be set');
      expect((await harness.send<TicketView>(subjects.tickets.get, { principal: agent, ticketId: ticket.id })).fields).toEqual({ legacy_code: 'L-1' });
      await harness.send(subjects.ticketFields.update, { principal: admin, fieldId: field.id, changes: { active: true } });
      expect((await update(agent, ticket.id, { fields: { legacy_code: 'L-2' } })).fields).toEqual({ legacy_code: 'L-2' });
    });
  });

  describe('values on tickets', () => {
    it('stores each type on create and answers them to staff only', async () => {
      const fields = { product_area: 'billing', platforms: ['web', 'ios', 'web'], order_total: 129.5, purchase_date: '2026-11-30', vip: true, order_ref: ' <b>A-1001</b> ' };
      const ticket = await createTicket(agent, { fields, requesterEmail: 'buyer@example.com' });
      // Multiselect values come back in the options' order, once each; text is stripped of markup.
      expect(ticket.fields).toEqual({ product_area: 'billing', platforms: ['ios', 'web'], order_total: 129.5, purchase_date: '2026-11-30', vip: true, order_ref: 'A-1001' });
      expect((await harness.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: ticket.id })).fields).toEqual(ticket.fields);
      const own = await createTicket(customer);
      expect(own.fields).toBeUndefined();
      expect((await harness.send<TicketView>(subjects.tickets.get, { principal: customer, ticketId: own.id })).fields).toBeUndefined();
    });

    it('refuses customers setting fields', async () => {
      expect(await harness.fail(subjects.tickets.create, { principal: customer, subject: 'x', description: 'y', fields: { vip: true } })).toMatchObject({ code: 'FORBIDDEN' });
    });

    it.each([
      ['an unknown key', { severity: 'high' }, 'fields.severity is not a custom field of this organization'],
      ['text for a number', { order_total: '12' }, 'fields.order_total must be a number'],
      ['an impossible date', { purchase_date: '2026-02-30' }, 'fields.purchase_date must be a date as YYYY-MM-DD'],
      ['a date with a time', { purchase_date: '2026-02-03T10:00:00Z' }, 'fields.purchase_date must be a date as YYYY-MM-DD'],
      ['a dropdown value not in its options', { product_area: 'marketing' }, 'fields.product_area must be one of its options: billing, shipping, returns'],
      ['a multiselect value not in its options', { platforms: ['web', 'windows'] }, 'fields.platforms has values that are not among its options: windows'],
      ['a single value for a multiselect', { platforms: 'web' }, 'fields.platforms must be a list of its options'],
      ['text for a checkbox', { vip: 'yes' }, 'fields.vip must be true or false'],
      ['a number for text', { order_ref: 42 }, 'fields.order_ref must be text'],
    ])('refuses %s on create and on update, naming the field, and changes nothing', async (_name, fields, message) => {
      const created = await harness.fail(subjects.tickets.create, { principal: agent, subject: 'x', description: 'y', fields });
      expect(created).toMatchObject({ code: 'VALIDATION', message });
      const ticket = await createTicket(agent, { fields: { vip: false } });
      expect(await updateFails(agent, ticket.id, { subject: 'Changed', fields })).toMatchObject({ code: 'VALIDATION', message });
      expect(await harness.send<TicketView>(subjects.tickets.get, { principal: agent, ticketId: ticket.id })).toMatchObject({ subject: 'Invoice is wrong', version: 1, fields: { vip: false } });
    });

    it('treats another organization\'s field keys as unknown keys', async () => {
      await defineField(otherAdmin, { key: 'globex_only', label: 'Globex only', type: 'text' });
      const ticket = await createTicket(agent);
      expect(await updateFails(agent, ticket.id, { fields: { globex_only: 'x' } })).toMatchObject({ code: 'VALIDATION', message: 'fields.globex_only is not a custom field of this organization' });
      expect(await harness.fail(subjects.tickets.list, { principal: agent, fields: { globex_only: 'x' } })).toMatchObject({ code: 'VALIDATION' });
    });

    it('changes only the keys given, clears a value with null, and records each field in the history', async () => {
      const ticket = await createTicket(agent, { fields: { product_area: 'billing', vip: true } });
      const updated = await update(agent, ticket.id, { fields: { product_area: 'returns', vip: null, order_total: 10 } });
      expect(updated.fields).toEqual({ product_area: 'returns', order_total: 10 });
      expect(updated.version).toBe(2);
      const history = await harness.send<Page<TicketHistoryEntry>>(subjects.tickets.history, { principal: agent, ticketId: ticket.id });
      expect(history.items[0]!.changes).toMatchObject({ 'fields.product_area': { from: null, to: 'billing' }, 'fields.vip': { from: null, to: true } });
      expect(history.items[1]).toMatchObject({
        action: 'updated',
        actorId: agent.userId,
        changes: { 'fields.product_area': { from: 'billing', to: 'returns' }, 'fields.vip': { from: true, to: null }, 'fields.order_total': { from: null, to: 10 } },
      });
      const unchanged = await update(agent, ticket.id, { fields: { product_area: 'returns' } });
      expect(unchanged.version).toBe(2);
    });

    it('publishes value changes as a ticket.updated event of their own with changes.fields, apart from the public changes', async () => {
      const ticket = await createTicket(agent, { fields: { vip: false } });
      await update(agent, ticket.id, { status: 'open', fields: { vip: true } });
      await vi.waitFor(async () => {
        const updates = (await harness.storedEvents()).map((stored) => stored.envelope).filter((event) => event.type === 'ticket.updated' && event.aggregateId === ticket.id);
        expect(updates.map((event) => event.data.changes)).toEqual([{ status: { from: 'new', to: 'open' } }, { fields: { vip: { from: false, to: true } } }]);
        // The ticket in every event leaves the values out: ticket.updated reaches the requester too.
        for (const event of updates) expect(JSON.stringify(event.data.ticket)).not.toContain('"fields"');
      }, { timeout: 5_000, interval: 100 });
    });
  });

  describe('required to solve', () => {
    it('refuses to solve or close a ticket without the required values, naming them, then solves once given', async () => {
      const { admin: strictAdmin } = await harness.signup('Strict Desk');
      await defineField(strictAdmin, { key: 'root_cause', label: 'Root cause', type: 'dropdown', options: ['bug', 'user_error'], requiredToSolve: true });
      await defineField(strictAdmin, { key: 'time_spent', label: 'Time spent', type: 'number', requiredToSolve: true });
      const archived = await defineField(strictAdmin, { key: 'old_reason', label: 'Old reason', type: 'text', requiredToSolve: true });
      await harness.send(subjects.ticketFields.archive, { principal: strictAdmin, fieldId: archived.id });
      const ticket = await createTicket(strictAdmin, { fields: { time_spent: 15 } });

      const refused = await updateFails(strictAdmin, ticket.id, { status: 'solved' });
      expect(refused).toMatchObject({ code: 'VALIDATION', message: 'A solved ticket needs a value for: Root cause (fields.root_cause)', details: { missingFields: ['root_cause'] } });
      expect((await updateFails(strictAdmin, ticket.id, { status: 'closed', fields: { time_spent: null, root_cause: 'bug' } })).message).toBe('A closed ticket needs a value for: Time spent (fields.time_spent)');
      expect((await harness.send<TicketView>(subjects.tickets.get, { principal: strictAdmin, ticketId: ticket.id })).status).toBe('new');

      const solved = await update(strictAdmin, ticket.id, { status: 'solved', fields: { root_cause: 'bug' } });
      expect(solved).toMatchObject({ status: 'solved', fields: { root_cause: 'bug', time_spent: 15 } });
      expect((await updateFails(strictAdmin, ticket.id, { fields: { root_cause: null } })).message).toBe('A solved ticket needs a value for: Root cause (fields.root_cause)');
      await expect(update(strictAdmin, ticket.id, { status: 'open', fields: { root_cause: null } })).resolves.toMatchObject({ status: 'open', fields: { time_spent: 15 } });
    });
  });

  describe('listing', () => {
    it('filters by each type (a multiselect contains the value), combines filters, and refuses customers and unparsable values', async () => {
      const { admin: listAdmin } = await harness.signup('List Desk');
      await defineField(listAdmin, { key: 'area', label: 'Area', type: 'dropdown', options: ['billing', 'shipping'] });
      await defineField(listAdmin, { key: 'tags_multi', label: 'Labels', type: 'multiselect', options: ['a', 'b', 'c'] });
      await defineField(listAdmin, { key: 'amount', label: 'Amount', type: 'number' });
      await defineField(listAdmin, { key: 'due', label: 'Due', type: 'date' });
      await defineField(listAdmin, { key: 'urgent', label: 'Urgent', type: 'checkbox' });
      const one = await createTicket(listAdmin, { subject: 'one', fields: { area: 'billing', tags_multi: ['a', 'b'], amount: 5, due: '2026-12-01', urgent: true } });
      const two = await createTicket(listAdmin, { subject: 'two', fields: { area: 'billing', tags_multi: ['b'], amount: 7, urgent: false } });
      const three = await createTicket(listAdmin, { subject: 'three', fields: { area: 'shipping' } });
      const subjectsOf = async (fields: Record<string, string>, sort?: string) => (await list(listAdmin, { fields, ...(sort ? { sort } : {}) })).items.map((ticket) => ticket.subject);

      expect(await subjectsOf({ area: 'billing' })).toEqual(['two', 'one']);
      expect(await subjectsOf({ tags_multi: 'b' })).toEqual(['two', 'one']);
      expect(await subjectsOf({ tags_multi: 'a' })).toEqual(['one']);
      expect(await subjectsOf({ amount: '7' })).toEqual(['two']);
      expect(await subjectsOf({ due: '2026-12-01' })).toEqual(['one']);
      expect(await subjectsOf({ urgent: 'false' })).toEqual(['two']);
      expect(await subjectsOf({ area: 'billing', urgent: 'true' })).toEqual(['one']);
      expect(await subjectsOf({ area: 'returns' })).toEqual([]);
      expect(three.fields).toEqual({ area: 'shipping' });

      expect(await harness.fail(subjects.tickets.list, { principal: listAdmin, fields: { amount: 'lots' } })).toMatchObject({ code: 'VALIDATION', message: 'field.amount filters a number field: give a number' });
      expect(await harness.fail(subjects.tickets.list, { principal: listAdmin, fields: { due: 'tomorrow' } })).toMatchObject({ code: 'VALIDATION' });
      const listCustomer = await harness.addUser(listAdmin.orgId, 'customer');
      expect(await harness.fail(subjects.tickets.list, { principal: listCustomer, fields: { area: 'billing' } })).toMatchObject({ code: 'FORBIDDEN' });
      expect([one.id, two.id]).toHaveLength(2);
    });

    it('sorts by a custom field, tickets without a value last when ascending, across pages', async () => {
      const { admin: sortAdmin } = await harness.signup('Sort Desk');
      await defineField(sortAdmin, { key: 'amount', label: 'Amount', type: 'number' });
      await defineField(sortAdmin, { key: 'area', label: 'Area', type: 'text' });
      for (const [subject, amount, area] of [['ten', 10, 'b'], ['nine', 9, 'c'], ['hundred', 100, 'a'], ['none', null, null]] as const) {
        await createTicket(sortAdmin, { subject, fields: { ...(amount === null ? {} : { amount }), ...(area === null ? {} : { area }) } });
      }
      const all = async (sort: string) => {
        const subjectsSeen: string[] = [];
        let cursor: string | null | undefined;
        do {
          const page: Page<TicketView> = await list(sortAdmin, { sort, limit: 1, ...(cursor ? { cursor } : {}) });
          subjectsSeen.push(...page.items.map((ticket) => ticket.subject));
          cursor = page.nextCursor;
        } while (cursor);
        return subjectsSeen;
      };
      expect(await all('field.amount')).toEqual(['nine', 'ten', 'hundred', 'none']);
      expect(await all('-field.amount')).toEqual(['none', 'hundred', 'ten', 'nine']);
      expect(await all('field.area')).toEqual(['hundred', 'ten', 'nine', 'none']);
      expect(await harness.fail(subjects.tickets.list, { principal: sortAdmin, sort: 'field.missing' })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/missing is not a custom field/) });
    });
  });
});
