import type { Page, TicketFieldView, TicketView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** /api/v1/ticket-fields and the `fields` of tickets over HTTP (DESIGN section 14). */
describe('custom ticket fields over HTTP', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let otherAdmin: SignedUpAdmin;
  let area: TicketFieldView;

  const json = async <T>(response: Response, status: number): Promise<T> => {
    const body = (await response.json()) as T;
    expect({ status: response.status, body }).toMatchObject({ status });
    return body;
  };

  beforeAll(async () => {
    gateway = await GatewayHarness.start('ticket-fields');
    admin = await gateway.signup('Field Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    otherAdmin = await gateway.signup('Other Desk');
    area = await json<TicketFieldView>(
      await gateway.call('/ticket-fields', { token: admin.accessToken, body: { key: 'product_area', label: 'Product area', type: 'dropdown', options: ['billing', 'shipping'] } }),
      201,
    );
    await json(await gateway.call('/ticket-fields', { token: admin.accessToken, body: { key: 'seats', label: 'Seats', type: 'number', requiredToSolve: true } }), 201);
  });

  afterAll(() => gateway?.stop());

  it('answers 409 for a taken key, 400 naming a malformed key, and 409 for changing the key or type', async () => {
    const taken = await json<{ message: string }>(await gateway.call('/ticket-fields', { token: admin.accessToken, body: { key: 'product_area', label: 'Again', type: 'text' } }), 409);
    expect(taken.message).toMatch(/key "product_area" already exists/);
    const malformed = await json<{ message: unknown }>(await gateway.call('/ticket-fields', { token: admin.accessToken, body: { key: 'Product Area', label: 'x', type: 'text' } }), 400);
    expect(JSON.stringify(malformed.message)).toMatch(/key must be a lowercase slug/);
    const rekey = await json<{ message: string }>(await gateway.call(`/ticket-fields/${area.id}`, { method: 'PATCH', token: admin.accessToken, body: { key: 'area' } }), 409);
    expect(rekey.message).toMatch(/key cannot be changed/);
    const retype = await json<{ message: string }>(await gateway.call(`/ticket-fields/${area.id}`, { method: 'PATCH', token: admin.accessToken, body: { type: 'text' } }), 409);
    expect(retype.message).toMatch(/type cannot be changed/);
  });

  it('lets agents read fields but not define them, refuses customers, and hides other organizations\' fields as 404', async () => {
    expect(await json<Page<TicketFieldView>>(await gateway.call('/ticket-fields', { token: agent.accessToken }), 200)).toEqual({ items: ['product_area', 'seats'].map((key) => expect.objectContaining({ key })), nextCursor: null });
    await json(await gateway.call('/ticket-fields', { token: agent.accessToken, body: { key: 'x', label: 'x', type: 'text' } }), 403);
    await json(await gateway.call('/ticket-fields', { token: customer.accessToken }), 403);
    await json(await gateway.call(`/ticket-fields/${area.id}`, { token: otherAdmin.accessToken }), 404);
    await json(await gateway.call(`/ticket-fields/${area.id}`, { method: 'PATCH', token: otherAdmin.accessToken, body: { label: 'Mine' } }), 404);
    await json(await gateway.call(`/ticket-fields/${area.id}`, { method: 'DELETE', token: otherAdmin.accessToken }), 404);
  });

  it('carries fields on create, update and read, refuses bad values with 400 naming the field, and refuses solving without required values', async () => {
    const created = await json<TicketView>(await gateway.call('/tickets', { token: agent.accessToken, body: { subject: 'Upgrade', description: 'x', fields: { product_area: 'billing' } } }), 201);
    expect(created.fields).toEqual({ product_area: 'billing' });
    const bad = await json<{ message: string }>(await gateway.call(`/tickets/${created.id}`, { method: 'PATCH', token: agent.accessToken, body: { fields: { seats: 'ten' } } }), 400);
    expect(bad.message).toBe('fields.seats must be a number');
    const unsolved = await json<{ message: string }>(await gateway.call(`/tickets/${created.id}`, { method: 'PATCH', token: agent.accessToken, body: { status: 'solved' } }), 400);
    expect(unsolved.message).toBe('A solved ticket needs a value for: Seats (fields.seats)');
    const solved = await json<TicketView>(await gateway.call(`/tickets/${created.id}`, { method: 'PATCH', token: agent.accessToken, body: { status: 'solved', fields: { seats: 10 } } }), 200);
    expect(solved).toMatchObject({ status: 'solved', fields: { product_area: 'billing', seats: 10 } });
    expect((await json<TicketView>(await gateway.call(`/tickets/${created.id}`, { token: agent.accessToken }), 200)).fields).toEqual({ product_area: 'billing', seats: 10 });
  });

  it('filters with field.<key>=<value> and sorts with sort=field.<key>; unknown keys and customers are refused', async () => {
    const shipping = await json<TicketView>(await gateway.call('/tickets', { token: agent.accessToken, body: { subject: 'Parcel lost', description: 'x', fields: { product_area: 'shipping', seats: 3 } } }), 201);
    const filtered = await json<Page<TicketView>>(await gateway.call('/tickets?field.product_area=shipping', { token: agent.accessToken }), 200);
    expect(filtered.items.map((ticket) => ticket.id)).toEqual([shipping.id]);
    const sorted = await json<Page<TicketView>>(await gateway.call('/tickets?sort=field.seats&status=new', { token: agent.accessToken }), 200);
    expect(sorted.items[0]!.id).toBe(shipping.id);
    const unknown = await json<{ message: string }>(await gateway.call('/tickets?field.colour=red', { token: agent.accessToken }), 400);
    expect(unknown.message).toBe('field.colour is not a custom field of this organization');
    await json(await gateway.call('/tickets?field.Colour=red', { token: agent.accessToken }), 400);
    await json(await gateway.call('/tickets?field.product_area=shipping', { token: customer.accessToken }), 403);
    const theirs = await json<{ message: string }>(await gateway.call('/tickets?field.product_area=shipping', { token: otherAdmin.accessToken }), 400);
    expect(theirs.message).toBe('field.product_area is not a custom field of this organization');
  });

  it('documents the field endpoints and their errors in the OpenAPI document, with the field types in the body schema', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
    };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/ticket-fields', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '409']));
    expect(answers('/api/v1/ticket-fields/{id}', 'patch')).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(answers('/api/v1/ticket-fields/{id}', 'delete')).toEqual(expect.arrayContaining(['200', '404']));
    expect(document.components.schemas.CreateTicketFieldBody?.properties?.type?.enum).toEqual(['text', 'number', 'date', 'dropdown', 'multiselect', 'checkbox']);
  });

  it('pages the list with ?limit and ?cursor in creation order until nextCursor is null, and keeps organizations apart', async () => {
    const desk = await gateway.signup('Paged Field Desk');
    for (const key of ['zeta', 'alpha', 'mid']) await json(await gateway.call('/ticket-fields', { token: desk.accessToken, body: { key, label: key, type: 'text' } }), 201);
    const page1 = await json<Page<TicketFieldView>>(await gateway.call('/ticket-fields?limit=2', { token: desk.accessToken }), 200);
    expect(page1.items.map((field) => field.key)).toEqual(['zeta', 'alpha']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await json<Page<TicketFieldView>>(await gateway.call(`/ticket-fields?limit=2&cursor=${page1.nextCursor}`, { token: desk.accessToken }), 200);
    expect(page2).toEqual({ items: [expect.objectContaining({ key: 'mid' })], nextCursor: null });
    // Another organization's cursor is only a position: it never reaches this organization's fields.
    const theirs = await json<Page<TicketFieldView>>(await gateway.call(`/ticket-fields?limit=100&cursor=${page1.nextCursor}`, { token: otherAdmin.accessToken }), 200);
    expect(theirs.items.map((field) => field.key).filter((key) => ['zeta', 'alpha', 'mid'].includes(key))).toEqual([]);
  });

  it('answers 400 naming a malformed cursor or a limit out of 1 to 100', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const [query, named] of [[`cursor=${forged}`, 'cursor'], ['cursor=nonsense', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit']] as const) {
      const refused = await json<{ message: string | string[] }>(await gateway.call(`/ticket-fields?${query}`, { token: agent.accessToken }), 400);
      expect({ query, message: [refused.message].flat().join('; ') }).toEqual({ query, message: expect.stringContaining(named) });
    }
  });

  it('archives with DELETE, answering the archived field', async () => {
    const temporary = await json<TicketFieldView>(await gateway.call('/ticket-fields', { token: admin.accessToken, body: { key: 'temporary', label: 'Temporary', type: 'checkbox' } }), 201);
    expect(await json<TicketFieldView>(await gateway.call(`/ticket-fields/${temporary.id}`, { method: 'DELETE', token: admin.accessToken }), 200)).toMatchObject({ key: 'temporary', active: false });
    expect((await json<Page<TicketFieldView>>(await gateway.call('/ticket-fields?includeArchived=true&limit=100', { token: admin.accessToken }), 200)).items.map((field) => field.key)).toContain('temporary');
  });
});
