import { subjects, type Page, type Principal, type SlaPolicyView, type TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

const MINUTE_MS = 60_000;

describe('SLA policies', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let outsider: Principal;

  const list = async (principal: Principal = admin, includeInactive = false) => (await harness.send<Page<SlaPolicyView>>(subjects.slaPolicies.list, { principal, includeInactive, limit: 100 })).items;
  const page = (principal: Principal, query: { limit?: number; cursor?: string | null; includeInactive?: boolean } = {}) => harness.send<Page<SlaPolicyView>>(subjects.slaPolicies.list, { principal, ...query });
  const create = (fields: Record<string, unknown>, principal: Principal = admin) =>
    harness.send<SlaPolicyView>(subjects.slaPolicies.create, { principal, name: 'Premium', priority: 'high', firstResponseMinutes: 30, resolutionMinutes: 240, businessHoursOnly: false, ...fields });
  const openTicket = (priority: string, principal: Principal = admin) => harness.send<TicketView>(subjects.tickets.create, { principal, subject: `A ${priority} problem`, description: 'x', priority });
  const activePolicy = async (priority: string, principal: Principal = admin) => (await list(principal)).find((policy) => policy.priority === priority);

  beforeAll(async () => {
    harness = await TicketHarness.start('directory_sla');
    ({ admin } = await harness.signup('Acme Support'));
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
    ({ admin: outsider } = await harness.signup('Globex Helpdesk'));
  });

  afterAll(() => harness?.stop());

  it('shows agents the active policy of each priority, most urgent first', async () => {
    const policies = await list(agent);
    expect(policies.map(({ priority, firstResponseMinutes, resolutionMinutes, active }) => ({ priority, firstResponseMinutes, resolutionMinutes, active }))).toEqual([
      { priority: 'urgent', firstResponseMinutes: 60, resolutionMinutes: 240, active: true },
      { priority: 'high', firstResponseMinutes: 240, resolutionMinutes: 480, active: true },
      { priority: 'normal', firstResponseMinutes: 480, resolutionMinutes: 960, active: true },
      { priority: 'low', firstResponseMinutes: 480, resolutionMinutes: 1920, active: true },
    ]);
  });

  it('lists the policies a page at a time, most urgent first and newest first within a priority, until nextCursor is null', async () => {
    const { admin: pagedAdmin } = await harness.signup('Paged Desk');
    const retired = (await page(pagedAdmin)).items.find((policy) => policy.priority === 'high')!;
    const premium = await create({ name: 'Premium' }, pagedAdmin);
    const seen: SlaPolicyView[][] = [];
    let cursor: string | null | undefined;
    do {
      const next = await page(pagedAdmin, { limit: 2, includeInactive: true, cursor });
      seen.push(next.items);
      cursor = next.nextCursor;
    } while (cursor);
    expect(seen.map((items) => items.map((policy) => [policy.priority, policy.active]))).toEqual([
      [['urgent', true], ['high', true]],
      [['high', false], ['normal', true]],
      [['low', true]],
    ]);
    expect(seen.flat().filter((policy) => policy.priority === 'high').map((policy) => policy.id)).toEqual([premium.id, retired.id]);
    const active = await page(pagedAdmin, { limit: 3 });
    expect(active.items.map((policy) => policy.priority)).toEqual(['urgent', 'high', 'normal']);
    expect(await page(pagedAdmin, { limit: 3, cursor: active.nextCursor })).toEqual({ items: [expect.objectContaining({ priority: 'low' })], nextCursor: null });
  });

  it('answers VALIDATION for a cursor it did not make or a limit out of 1 to 100', async () => {
    const forged = Buffer.from(JSON.stringify(['4|2026', 'not-a-uuid'])).toString('base64url');
    for (const query of [{ cursor: 'not-a-cursor' }, { cursor: forged }, { limit: 0 }, { limit: 101 }, { limit: 'ten' }]) {
      expect(await harness.fail(subjects.slaPolicies.list, { principal: admin, ...query })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/cursor|limit/) });
    }
  });

  it("never lists another organization's policies, even given a cursor from that organization's list", async () => {
    const { admin: ours } = await harness.signup('Our Desk');
    const { admin: theirs } = await harness.signup('Their Desk');
    const theirPolicies = (await page(theirs)).items.map((policy) => policy.id);
    const ourPage = await page(ours, { limit: 1 });
    const listed = await page(theirs, { cursor: ourPage.nextCursor });
    expect(listed.nextCursor).toBeNull();
    expect(listed.items.every((policy) => theirPolicies.includes(policy.id))).toBe(true);
    expect(listed.items.map((policy) => policy.id)).not.toContain(ourPage.items[0]!.id);
  });

  it('replaces the active policy of a priority with a new one: old tickets keep theirs, new tickets get the new one', async () => {
    const previous = (await activePolicy('high'))!;
    const before = await openTicket('high');
    const premium = await create({ name: 'Premium', priority: 'high', firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 240, businessHoursOnly: false });
    expect(premium).toMatchObject({ name: 'Premium', priority: 'high', firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 240, businessHoursOnly: false, active: true });

    expect((await list()).filter((policy) => policy.priority === 'high')).toEqual([premium]);
    expect((await list(admin, true)).find((policy) => policy.id === previous.id)).toMatchObject({ active: false });
    expect(await harness.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: before.id })).toMatchObject({ slaPolicyId: previous.id, firstResponseDueAt: before.firstResponseDueAt });
    const after = await openTicket('high');
    expect(after.slaPolicyId).toBe(premium.id);
    // Around the clock: 30 real minutes after creation.
    expect(new Date(after.firstResponseDueAt!).getTime() - new Date(after.createdAt).getTime()).toBe(30 * MINUTE_MS);
  });

  it('edits the active policy for tickets opened afterwards, and can remove the next-response target', async () => {
    const urgent = (await activePolicy('urgent'))!;
    await create({ name: 'Urgent with follow-up', priority: 'urgent', firstResponseMinutes: 15, nextResponseMinutes: 30, resolutionMinutes: 120 });
    const current = (await activePolicy('urgent'))!;
    const edited = await harness.send<SlaPolicyView>(subjects.slaPolicies.update, {
      principal: admin,
      policyId: current.id,
      changes: { name: 'Urgent 24/7', firstResponseMinutes: 10, nextResponseMinutes: null, businessHoursOnly: false },
    });
    expect(edited).toMatchObject({ id: current.id, name: 'Urgent 24/7', firstResponseMinutes: 10, nextResponseMinutes: null, resolutionMinutes: 120, businessHoursOnly: false, active: true });
    const ticket = await openTicket('urgent');
    expect(new Date(ticket.firstResponseDueAt!).getTime() - new Date(ticket.createdAt).getTime()).toBe(10 * MINUTE_MS);
    expect(await harness.fail(subjects.slaPolicies.update, { principal: admin, policyId: urgent.id, changes: { name: 'Retired' } })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a resolution target shorter than the first response, and minutes outside 1..525600 or not whole', async () => {
    const shorter = { code: 'VALIDATION', message: 'resolutionMinutes must be at least firstResponseMinutes' };
    expect(await harness.fail(subjects.slaPolicies.create, { principal: admin, name: 'Backwards', priority: 'low', firstResponseMinutes: 120, resolutionMinutes: 60, businessHoursOnly: true })).toMatchObject(shorter);
    const low = (await activePolicy('low'))!;
    expect(await harness.fail(subjects.slaPolicies.update, { principal: admin, policyId: low.id, changes: { resolutionMinutes: low.firstResponseMinutes - 1 } })).toMatchObject(shorter);
    const failure = await harness.fail(subjects.slaPolicies.create, { principal: admin, name: 'Odd', priority: 'low', firstResponseMinutes: 0, nextResponseMinutes: 1.5, resolutionMinutes: 525_601, businessHoursOnly: true });
    expect(failure.code).toBe('VALIDATION');
    expect(failure.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^firstResponseMinutes/), expect.stringMatching(/^nextResponseMinutes/), expect.stringMatching(/^resolutionMinutes/)]),
    );
    expect(await activePolicy('low')).toEqual(low);
  });

  it('deletes by retiring: the policy leaves the list, tickets keep it, new tickets of its priority get no SLA', async () => {
    const normal = (await activePolicy('normal'))!;
    const before = await openTicket('normal');
    expect(await harness.send(subjects.slaPolicies.delete, { principal: admin, policyId: normal.id })).toEqual({ deleted: true });
    expect(await activePolicy('normal')).toBeUndefined();
    expect((await list(admin, true)).find((policy) => policy.id === normal.id)).toMatchObject({ active: false });
    expect(await harness.send<TicketView>(subjects.tickets.get, { principal: admin, ticketId: before.id })).toMatchObject({ slaPolicyId: normal.id });
    expect(await openTicket('normal')).toMatchObject({ slaPolicyId: null, firstResponseDueAt: null, resolutionDueAt: null });
    expect(await harness.fail(subjects.slaPolicies.delete, { principal: admin, policyId: normal.id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets agents read policies but only admins change them; customers see none', async () => {
    const low = (await activePolicy('low'))!;
    expect(await harness.fail(subjects.slaPolicies.create, { principal: agent, name: 'Mine', priority: 'low', firstResponseMinutes: 1, resolutionMinutes: 2, businessHoursOnly: true })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await harness.fail(subjects.slaPolicies.update, { principal: agent, policyId: low.id, changes: { firstResponseMinutes: 1 } })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await harness.fail(subjects.slaPolicies.delete, { principal: agent, policyId: low.id })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await harness.fail(subjects.slaPolicies.list, { principal: customer })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await harness.fail(subjects.slaPolicies.create, { principal: customer, name: 'Mine', priority: 'low', firstResponseMinutes: 1, resolutionMinutes: 2, businessHoursOnly: true })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await activePolicy('low')).toEqual(low);
  });

  it('answers not found for another organization\'s policies and never lets a new policy touch them', async () => {
    const theirs = (await activePolicy('low', outsider))!;
    expect(await harness.fail(subjects.slaPolicies.update, { principal: admin, policyId: theirs.id, changes: { firstResponseMinutes: 1 } })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await harness.fail(subjects.slaPolicies.delete, { principal: admin, policyId: theirs.id })).toMatchObject({ code: 'NOT_FOUND' });
    await create({ name: 'Acme low', priority: 'low', firstResponseMinutes: 600, resolutionMinutes: 6000, businessHoursOnly: true });
    expect(await activePolicy('low', outsider)).toEqual(theirs);
    expect((await list()).find((policy) => policy.id === theirs.id)).toBeUndefined();
  });
});
