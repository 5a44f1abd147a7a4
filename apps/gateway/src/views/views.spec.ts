import type { Page, QueueView, TicketView } from '@helpdesk/contracts';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** /views and GET /tickets?view= through the real gateway and ticket service on PostgreSQL and NATS (DESIGN section 14). */
describe('views', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let otherAgent: TestCaller;
  let customer: TestCaller;
  let other: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('views');
    admin = await gateway.signup('View Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    otherAgent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    other = await gateway.signup('Other View Desk');
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
  const createView = (body: object, token = agent.accessToken) => gateway.call('/views', { token, body });
  const newView = async (body: object, token = agent.accessToken) => json<QueueView>(await createView({ name: unique('View'), ...body }, token), 201);
  const listViews = async (token = agent.accessToken) => (await json<Page<QueueView>>(await gateway.call('/views?limit=100', { token }), 200)).items;
  async function newTicket(changes: Record<string, unknown> = {}, tags: string[] = []): Promise<TicketView> {
    const ticket = await json<TicketView>(await gateway.call('/tickets', { token: customer.accessToken, body: { subject: unique('Ticket'), description: '<p>Help</p>' } }), 201);
    const body = tags.length > 0 ? { ...changes, tags } : changes;
    if (Object.keys(body).length === 0) return ticket;
    return json<TicketView>(await gateway.call(`/tickets/${ticket.id}`, { method: 'PATCH', token: admin.accessToken, body }), 200);
  }
  const ticketIds = async (path: string, token = agent.accessToken) => (await json<Page<TicketView>>(await gateway.call(path, { token }), 200)).items.map((ticket) => ticket.id);

  it('gives every new organization the shared default views, counted for the reader ("me" is whoever reads)', async () => {
    const desk = await gateway.signup(unique('Fresh Desk'));
    const member = await gateway.addUser(desk.organization.id, 'agent');
    const views = await listViews(member.accessToken);
    expect(views.map((view) => [view.name, view.shared, view.position])).toEqual([
      ['My open', true, 1],
      ['Unassigned', true, 2],
      ['Breached', true, 3],
      ['Waiting on customer', true, 4],
    ]);
    expect(views.every((view) => view.count === 0 && !view.countCapped)).toBe(true);

    const requester = await gateway.addUser(desk.organization.id, 'customer');
    const created = await json<TicketView>(await gateway.call('/tickets', { token: requester.accessToken, body: { subject: 'Mine soon', description: 'x' } }), 201);
    const counts = async (token: string) => Object.fromEntries((await listViews(token)).map((view) => [view.name, view.count]));
    expect(await counts(member.accessToken)).toMatchObject({ 'My open': 0, Unassigned: 1 });
    await json(await gateway.call(`/tickets/${created.id}`, { method: 'PATCH', token: desk.accessToken, body: { assigneeId: member.principal.userId } }), 200);
    expect(await counts(member.accessToken)).toMatchObject({ 'My open': 1, Unassigned: 0 });
    expect(await counts(desk.accessToken)).toMatchObject({ 'My open': 0, Unassigned: 0 });
    const myOpen = views.find((view) => view.name === 'My open')!;
    expect(await ticketIds(`/tickets?view=${myOpen.id}`, member.accessToken)).toEqual([created.id]);
    expect(await ticketIds(`/tickets?view=${myOpen.id}`, desk.accessToken)).toEqual([]);
  });

  it('creates, lists with counts, reads, changes and deletes a personal view', async () => {
    const tag = `vip${randomBytes(3).toString('hex')}`;
    const urgent = await newTicket({ priority: 'urgent' }, [tag]);
    await newTicket({ priority: 'low' }, [tag]);
    const name = unique('Urgent VIPs');
    const created = await json<QueueView>(await createView({ name: `${name} <b>now</b>`, query: { tag, priority: ['urgent', 'high'] }, sort: '-priority' }), 201);
    expect(created).toMatchObject({ name: `${name} now`, shared: false, ownerId: agent.principal.userId, query: { tag, priority: ['urgent', 'high'] }, sort: '-priority', count: 1, countCapped: false });

    const listed = await listViews();
    expect(listed.find((view) => view.id === created.id)).toMatchObject({ count: 1 });
    expect(listed.at(-1)!.id).toBe(created.id);
    expect(await json(await gateway.call(`/views/${created.id}`, { token: agent.accessToken }), 200)).toMatchObject({ id: created.id, count: 1 });

    const widened = await json<QueueView>(await gateway.call(`/views/${created.id}`, { method: 'PATCH', token: agent.accessToken, body: { query: { tag }, position: 0, sort: null } }), 200);
    expect(widened).toMatchObject({ query: { tag }, position: 0, sort: null, count: 2 });
    expect((await listViews())[0]!.id).toBe(created.id);
    expect(await ticketIds(`/tickets?view=${created.id}&priority=urgent`)).toEqual([urgent.id]);

    expect((await createView({ name: name.toUpperCase() + ' NOW', query: {} })).status).toBe(409);
    expect(await json(await gateway.call(`/views/${created.id}`, { method: 'DELETE', token: agent.accessToken }), 200)).toEqual({ deleted: true });
    expect((await gateway.call(`/views/${created.id}`, { token: agent.accessToken })).status).toBe(404);
  });

  it('refuses a bad query with the message GET /tickets gives for the same filter', async () => {
    await json(await gateway.call('/ticket-fields', { token: admin.accessToken, body: { key: 'plan', label: 'Plan', type: 'dropdown', options: ['free', 'pro'] } }), 201);
    await json(await gateway.call('/ticket-fields', { token: admin.accessToken, body: { key: 'seats', label: 'Seats', type: 'number' } }), 201);
    const cases: Array<[object, RegExp]> = [
      [{ query: { status: ['opened'] } }, /query\.each value in status must be one of the following values/],
      [{ query: { colour: 'red' } }, /query\.property colour should not exist/],
      [{ query: { assigneeId: 'someone' } }, /query\.assigneeId must be a user id, "none" or "me"/],
      [{ query: { fields: { nope: 'x' } } }, /field\.nope is not a custom field of this organization/],
      [{ query: { fields: { seats: 'many' } } }, /field\.seats filters a number field: give a number/],
      [{ query: {}, sort: 'colour' }, /sort must be one of createdAt, updatedAt, priority, resolutionDueAt/],
      [{ query: {}, sort: '-field.nope' }, /sort=field\.nope: nope is not a custom field of this organization/],
      [{}, /query must be an object of GET \/tickets filters/],
      [{ name: ' <b></b> ', query: {} }, /name must contain text/],
    ];
    for (const [body, message] of cases) {
      const response = await createView({ name: unique('Bad'), ...body });
      const answer = (await response.json()) as { message: string | string[] };
      expect(response.status, JSON.stringify(answer)).toBe(400);
      expect(answer.message.toString()).toMatch(message);
    }
    const listAnswer = await gateway.call('/tickets?field.seats=many', { token: agent.accessToken });
    expect(listAnswer.status).toBe(400);
    expect(((await listAnswer.json()) as { message: string }).message).toMatch(/field\.seats filters a number field: give a number/);
    const withField = await newView({ query: { fields: { plan: 'pro' } }, sort: 'field.plan' });
    expect(withField.count).toBe(0);
  });

  it('keeps personal views to their owner and lets admins alone write shared ones', async () => {
    const mine = await newView({ query: { status: ['open'] } });
    for (const token of [otherAgent.accessToken, admin.accessToken]) {
      expect((await gateway.call(`/views/${mine.id}`, { token })).status).toBe(404);
      expect((await gateway.call(`/views/${mine.id}`, { method: 'PATCH', token, body: { name: 'Taken' } })).status).toBe(404);
      expect((await gateway.call(`/views/${mine.id}`, { method: 'DELETE', token })).status).toBe(404);
      expect((await gateway.call(`/tickets?view=${mine.id}`, { token })).status).toBe(404);
      expect((await listViews(token)).map((view) => view.id)).not.toContain(mine.id);
    }

    const refused = await createView({ name: unique('Team queue'), shared: true, query: {} });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/Only admins may create, change or delete shared views/);
    expect((await gateway.call(`/views/${mine.id}`, { method: 'PATCH', token: agent.accessToken, body: { shared: true } })).status).toBe(403);

    const shared = await newView({ shared: true, query: { priority: ['urgent'] } }, admin.accessToken);
    expect(shared).toMatchObject({ shared: true, ownerId: null });
    expect((await listViews(otherAgent.accessToken)).map((view) => view.id)).toContain(shared.id);
    expect((await gateway.call(`/views/${shared.id}`, { method: 'PATCH', token: agent.accessToken, body: { name: 'Mine now' } })).status).toBe(403);
    expect((await gateway.call(`/views/${shared.id}`, { method: 'DELETE', token: agent.accessToken })).status).toBe(403);
    const renamed = await json<QueueView>(await gateway.call(`/views/${shared.id}`, { method: 'PATCH', token: admin.accessToken, body: { name: unique('Urgent for all') } }), 200);
    expect(renamed.shared).toBe(true);

    expect((await gateway.call('/views', { token: customer.accessToken })).status).toBe(403);
    expect((await gateway.call(`/tickets?view=${shared.id}`, { token: customer.accessToken })).status).toBe(404);
    expect(await json(await gateway.call(`/views/${shared.id}`, { method: 'DELETE', token: admin.accessToken }), 200)).toEqual({ deleted: true });
  });

  it("answers 404 for another organization's views, and never counts its tickets", async () => {
    const shared = await newView({ shared: true, query: {} }, admin.accessToken);
    for (const path of [`/views/${shared.id}`, `/tickets?view=${shared.id}`]) expect((await gateway.call(path, { token: other.accessToken })).status).toBe(404);
    expect((await gateway.call(`/views/${shared.id}`, { method: 'PATCH', token: other.accessToken, body: { name: 'Stolen' } })).status).toBe(404);
    expect((await gateway.call(`/views/${shared.id}`, { method: 'DELETE', token: other.accessToken })).status).toBe(404);
    const everything = await newView({ shared: true, query: {} }, other.accessToken);
    expect(everything.count).toBe(0);
    const [ownCount] = await gateway.ticket.dataSource.query(`SELECT count(*)::int AS n FROM helpdesk.tickets WHERE organization_id = $1`, [admin.organization.id]);
    expect((await json<QueueView>(await gateway.call(`/views/${shared.id}`, { token: admin.accessToken }), 200)).count).toBe((ownCount as { n: number }).n);
  });

  it('lists a view with explicit parameters replacing its filters and sort', async () => {
    const tag = `combo${randomBytes(3).toString('hex')}`;
    const first = await newTicket({ status: 'pending' }, [tag]);
    const second = await newTicket({ status: 'pending', assigneeId: agent.principal.userId }, [tag]);
    const third = await newTicket({}, [tag]);
    const view = await newView({ query: { tag, status: ['pending'] }, sort: 'createdAt' });
    expect(await ticketIds(`/tickets?view=${view.id}`)).toEqual([first.id, second.id]);
    expect(await ticketIds(`/tickets?view=${view.id}&sort=-createdAt`)).toEqual([second.id, first.id]);
    expect(await ticketIds(`/tickets?view=${view.id}&assigneeId=me`)).toEqual([second.id]);
    expect(await ticketIds(`/tickets?view=${view.id}&status=new,open,pending`)).toEqual([first.id, second.id, third.id]);
    expect((await gateway.call('/tickets?view=not-a-uuid', { token: agent.accessToken })).status).toBe(400);
  });

  it('keeps an agent to 50 personal views', async () => {
    const crowded = await gateway.addUser(admin.organization.id, 'agent');
    const existing = (await listViews(crowded.accessToken)).filter((view) => !view.shared).length;
    for (let index = existing; index < 50; index += 1) await newView({ query: {} }, crowded.accessToken);
    const refused = await createView({ name: unique('One too many'), query: {} }, crowded.accessToken);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(/at most 50 personal views/);
  });
  it('documents every views endpoint and ?view= in the OpenAPI document', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, { description?: string }> }>> };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/views', 'get')).toEqual(expect.arrayContaining(['200']));
    expect(answers('/api/v1/views', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '409']));
    expect(answers('/api/v1/views/{id}', 'get')).toEqual(expect.arrayContaining(['200', '404']));
    expect(answers('/api/v1/views/{id}', 'patch')).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409']));
    expect(answers('/api/v1/views/{id}', 'delete')).toEqual(expect.arrayContaining(['200', '403', '404']));
    expect(document.paths['/api/v1/tickets']?.get?.responses?.['200']?.description).toMatch(/view=<id>/);
  });
});
