import type { AutomationPreviewItem, AutomationView, Page, TicketHistoryEntry, TicketView } from '@helpdesk/contracts';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutomationScheduler } from '../../../ticket/src/automations/automation-scheduler.js';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** /automations through the real gateway and ticket service, and the scheduler acting on real tickets (DESIGN section 14). */
describe('automations', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let other: SignedUpAdmin;
  let scheduler: AutomationScheduler;

  beforeAll(async () => {
    // The scheduler's own timer stays out of the way: each test runs a pass itself, at a chosen instant.
    gateway = await GatewayHarness.start('automations', {}, { AUTOMATION_INTERVAL_SECONDS: '3600' });
    admin = await gateway.signup('Automation Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    other = await gateway.signup('Other Desk');
    scheduler = gateway.ticket.service.app.get(AutomationScheduler);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  const unique = (name: string) => `${name} ${randomBytes(3).toString('hex')}`;
  async function json<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const create = (body: object, token = admin.accessToken) => gateway.call('/automations', { token, body });
  const newAutomation = async (body: object, token = admin.accessToken) => json<AutomationView>(await create({ name: unique('Automation'), ...body }, token), 201);
  const pendingOver = (hours: number, businessHours = false) => ({ field: 'hoursSince.pending', op: 'gt', value: hours, businessHours });
  const tagWith = (tag: string) => [{ type: 'addTags', value: [tag] }];
  async function pendingTicket(hoursPending: number, token = customer.accessToken, agentToken = agent.accessToken): Promise<TicketView> {
    const ticket = await json<TicketView>(await gateway.call('/tickets', { token, body: { subject: unique('Waiting'), description: '<p>Help</p>' } }), 201);
    await json(await gateway.call(`/tickets/${ticket.id}`, { method: 'PATCH', token: agentToken, body: { status: 'pending' } }), 200);
    await age(ticket.id, new Date(Date.now() - hoursPending * 3_600_000));
    return ticket;
  }
  // Moving pending_since back is a change no user can make: it is stamped as one (updated_at), so the scheduler's window sees it.
  const age = (ticketId: string, since: Date) => gateway.ticket.dataSource.query(`UPDATE helpdesk.tickets SET pending_since = $2, updated_at = now() WHERE id = $1`, [ticketId, since]);
  const history = async (ticketId: string) => (await json<Page<TicketHistoryEntry>>(await gateway.call(`/tickets/${ticketId}/events`, { token: admin.accessToken }), 200)).items;
  const firedBy = async (ticketId: string, automationId: string) =>
    (await history(ticketId)).filter((entry) => entry.action === 'automation.fired' && (entry.changes['automation']?.to as { id: string }).id === automationId);
  const getTicket = async (ticketId: string) => json<TicketView>(await gateway.call(`/tickets/${ticketId}`, { token: admin.accessToken }), 200);

  it('lets an admin create, list, read, deactivate and delete an automation; agents and customers get 403', async () => {
    const name = unique('Nudge');
    const created = await json<AutomationView>(await create({ name, all: [pendingOver(72), { field: 'tags', op: 'notContains', value: 'VIP' }], actions: tagWith('nudged') }), 201);
    expect(created).toMatchObject({ name, active: true, all: [{ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: false }, { field: 'tags', op: 'notContains', value: 'vip' }], any: [], actions: [{ type: 'addTags', value: ['nudged'] }] });
    const listed = await json<Page<AutomationView>>(await gateway.call('/automations', { token: admin.accessToken }), 200);
    expect(listed.items.map((item) => item.id)).toContain(created.id);
    expect(await json<AutomationView>(await gateway.call(`/automations/${created.id}`, { token: admin.accessToken }), 200)).toEqual(created);
    const paused = await json<AutomationView>(await gateway.call(`/automations/${created.id}`, { method: 'PATCH', token: admin.accessToken, body: { active: false } }), 200);
    expect(paused.active).toBe(false);
    expect((await gateway.call('/automations', { token: agent.accessToken })).status).toBe(403);
    expect((await create({ name: unique('Agent'), all: [pendingOver(1)], actions: tagWith('x') }, agent.accessToken)).status).toBe(403);
    expect((await gateway.call('/automations', { token: customer.accessToken })).status).toBe(403);
    expect((await create({ name, all: [pendingOver(1)], actions: tagWith('x') })).status).toBe(409);
    expect(await json(await gateway.call(`/automations/${created.id}`, { method: 'DELETE', token: admin.accessToken }), 200)).toEqual({ deleted: true });
    expect((await gateway.call(`/automations/${created.id}`, { token: admin.accessToken })).status).toBe(404);
  });

  it('refuses bad conditions and actions with 400 naming the place and the problem', async () => {
    const refused = async (body: object) => (await json<{ message: string }>(await create({ name: unique('Bad'), actions: tagWith('x'), ...body }), 400)).message;
    expect(await refused({ all: [pendingOver(72), { field: 'status', op: 'gt', value: 'open' }] })).toMatch(/all\[1\]: status does not take op "gt"/);
    expect(await refused({ all: [pendingOver(72)], any: [{ field: 'fields.plan', op: 'is', value: 'pro' }] })).toMatch(/any\[0\]: fields.plan is not a custom field of this organization/);
    expect(await refused({ all: [{ field: 'status', op: 'is', value: 'pending' }] })).toMatch(/at least one hoursSince condition/);
    expect(await refused({ all: [pendingOver(72)], actions: [{ type: 'set', field: 'status', value: 'done' }] })).toMatch(/actions\[0\]/);
    expect(await refused({ all: [{ field: 'hoursSince.pending', op: 'gt', value: 'soon' }] })).toMatch(/all\[0\]: hoursSince.pending takes a number of hours/);
  });

  it('previews the tickets it would act on now, paginated, changing nothing', async () => {
    const tag = unique('preview').replace(' ', '-');
    const old = await pendingTicket(80);
    const older = await pendingTicket(100);
    const fresh = await pendingTicket(1);
    const automation = await newAutomation({ all: [pendingOver(72)], actions: tagWith(tag), active: false });
    const first = await json<Page<AutomationPreviewItem>>(await gateway.call(`/automations/${automation.id}/preview?limit=1`, { token: admin.accessToken }), 200);
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const rest = await json<Page<AutomationPreviewItem>>(await gateway.call(`/automations/${automation.id}/preview?limit=100&cursor=${first.nextCursor}`, { token: admin.accessToken }), 200);
    const previewed = [...first.items, ...rest.items].map((item) => item.id);
    expect(previewed).toEqual(expect.arrayContaining([old.id, older.id]));
    expect(previewed).not.toContain(fresh.id);
    expect(first.items[0]).toMatchObject({ status: 'pending', subject: expect.any(String), number: expect.any(Number) });
    // Nothing changed: no tag, no history, no run recorded.
    expect((await getTicket(old.id)).tags).not.toContain(tag);
    expect(await firedBy(old.id, automation.id)).toEqual([]);
    expect(await gateway.ticket.dataSource.query(`SELECT 1 FROM helpdesk.automation_runs WHERE automation_id = $1`, [automation.id])).toEqual([]);
    // An inactive automation never acts.
    await scheduler.runPass();
    expect((await getTicket(old.id)).tags).not.toContain(tag);
  });

  it('acts once per matching state through the action runner: audited, evented, and again when the ticket comes back to that state', async () => {
    const tag = unique('nudged').replace(' ', '-');
    const ticket = await pendingTicket(80);
    const automation = await newAutomation({ all: [pendingOver(72), { field: 'status', op: 'is', value: 'pending' }], actions: [...tagWith(tag), { type: 'comment', body: '<p>Still waiting on {{requester.name}}?</p>', internal: true }] });
    const pass = await scheduler.runPass();
    expect(pass.leader).toBe(true);
    await scheduler.runPass();
    expect((await getTicket(ticket.id)).tags).toContain(tag);
    const fired = await firedBy(ticket.id, automation.id);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.changes['tags']).toBeDefined();
    const events = (await gateway.ticket.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'ticket.updated'`, [ticket.id])) as Array<{ envelope: { actor: unknown; data: { rule?: { kind: string; id: string } } } }>;
    expect(events.some((event) => event.envelope.data.rule?.kind === 'automation' && event.envelope.data.rule.id === automation.id)).toBe(true);
    expect(await gateway.ticket.dataSource.query(`SELECT 1 FROM helpdesk.automation_runs WHERE automation_id = $1 AND ticket_id = $2`, [automation.id, ticket.id])).toHaveLength(1);

    // Back to open and pending again: a new state, acted on once more when it has aged.
    await json(await gateway.call(`/tickets/${ticket.id}`, { method: 'PATCH', token: agent.accessToken, body: { status: 'open' } }), 200);
    await json(await gateway.call(`/tickets/${ticket.id}`, { method: 'PATCH', token: agent.accessToken, body: { status: 'pending' } }), 200);
    await scheduler.runPass();
    expect(await firedBy(ticket.id, automation.id)).toHaveLength(1);
    await age(ticket.id, new Date(Date.now() - 90 * 3_600_000));
    await scheduler.runPass();
    await scheduler.runPass();
    expect(await firedBy(ticket.id, automation.id)).toHaveLength(2);
  });

  it('finds a ticket that crosses the threshold between passes without any change to it', async () => {
    const tag = unique('crossed').replace(' ', '-');
    const ticket = await pendingTicket(70);
    const automation = await newAutomation({ all: [pendingOver(72)], actions: tagWith(tag) });
    const now = Date.now();
    // The first pass looks at everything and finds nothing; the later ones look only at what changed or aged since.
    await scheduler.runPass(new Date(now));
    const [marked] = (await gateway.ticket.dataSource.query(`SELECT evaluated_at FROM helpdesk.automations WHERE id = $1`, [automation.id])) as Array<{ evaluated_at: Date }>;
    expect(marked!.evaluated_at.getTime()).toBe(now);
    await scheduler.runPass(new Date(now + 60 * 60_000));
    expect((await getTicket(ticket.id)).tags).not.toContain(tag);
    await scheduler.runPass(new Date(now + 3 * 60 * 60_000));
    expect((await getTicket(ticket.id)).tags).toContain(tag);
  });

  it('counts business hours when asked: 72 real hours over a weekend are not 24 business hours', async () => {
    await gateway.ticket.dataSource.query(
      `UPDATE helpdesk.organizations SET timezone = 'UTC', holidays = '[]', business_hours = $2 WHERE id = $1`,
      [admin.organization.id, JSON.stringify(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [{ start: '09:00', end: '17:00' }]])))],
    );
    const business = unique('business').replace(' ', '-');
    const wallClock = unique('wallclock').replace(' ', '-');
    const overWeekend = await pendingTicket(0);
    const overWeek = await pendingTicket(0);
    // Monday 2026-03-02 10:00 UTC. Since Friday 10:00: 72 real hours, 8 business hours. Since the Thursday before: 32+ business hours.
    const now = new Date('2026-03-02T10:00:00.000Z');
    await age(overWeekend.id, new Date('2026-02-27T10:00:00.000Z'));
    await age(overWeek.id, new Date('2026-02-19T10:00:00.000Z'));
    await newAutomation({ all: [pendingOver(24, true)], actions: tagWith(business) });
    await newAutomation({ all: [pendingOver(48)], actions: tagWith(wallClock) });
    await scheduler.runPass(now);
    expect((await getTicket(overWeekend.id)).tags).toEqual(expect.arrayContaining([wallClock]));
    expect((await getTicket(overWeekend.id)).tags).not.toContain(business);
    expect((await getTicket(overWeek.id)).tags).toEqual(expect.arrayContaining([wallClock, business]));
  });

  it("keeps organizations apart: another organization's automation is 404 and never acts on this organization's tickets", async () => {
    const tag = unique('foreign').replace(' ', '-');
    const ours = await pendingTicket(200);
    const foreign = await newAutomation({ all: [pendingOver(1)], actions: tagWith(tag) }, other.accessToken);
    expect((await gateway.call(`/automations/${foreign.id}`, { token: admin.accessToken })).status).toBe(404);
    expect((await gateway.call(`/automations/${foreign.id}/preview`, { token: admin.accessToken })).status).toBe(404);
    expect((await gateway.call(`/automations/${foreign.id}`, { method: 'PATCH', token: admin.accessToken, body: { active: false } })).status).toBe(404);
    expect((await gateway.call(`/automations/${foreign.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(404);
    const preview = await json<Page<AutomationPreviewItem>>(await gateway.call(`/automations/${foreign.id}/preview?limit=100`, { token: other.accessToken }), 200);
    expect(preview.items.map((item) => item.id)).not.toContain(ours.id);
    await scheduler.runPass();
    expect((await getTicket(ours.id)).tags).not.toContain(tag);
    expect(await firedBy(ours.id, foreign.id)).toEqual([]);
  });

  it('documents the routes and their answers in OpenAPI', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/automations', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '409']));
    expect(answers('/api/v1/automations', 'get')).toEqual(expect.arrayContaining(['200', '403']));
    expect(answers('/api/v1/automations/{id}', 'patch')).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(answers('/api/v1/automations/{id}', 'delete')).toEqual(expect.arrayContaining(['404']));
    expect(answers('/api/v1/automations/{id}/preview', 'get')).toEqual(expect.arrayContaining(['200', '404']));
  });
});
