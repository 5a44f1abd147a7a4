import { AdminAlertListener, waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

const SOME_UUID = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const forgedCursor = (value: unknown, id: unknown = SOME_UUID) => Buffer.from(JSON.stringify([value, id])).toString('base64url');

/**
 * Malformed client input, tried as a client would (DESIGN section 17): every answer is a 400
 * VALIDATION naming the field, never a 500, and none raises a critical admin alert.
 */
describe('malformed input through the API', () => {
  let gateway: GatewayHarness;
  let listener: AdminAlertListener;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let ticketId: string;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('malformed-input');
    listener = await AdminAlertListener.start(gateway.ticket.nats.url);
    admin = await gateway.signup('Forgery Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    const created = await gateway.call('/tickets', { token: customer.accessToken, body: { subject: 'Printer jammed', description: 'Again.' } });
    ticketId = ((await created.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await listener?.stop();
    await gateway?.stop();
  });

  /** Ends with a real failure (a table renamed away) and waits for its alert: every alert raised before it has arrived by then. */
  async function alertsRaisedSoFar(marker: string): Promise<string[]> {
    await gateway.ticket.dataSource.query('ALTER TABLE helpdesk.organizations RENAME TO organizations_gone');
    try {
      await gateway.call('/organization', { token: admin.accessToken, headers: { 'x-request-id': marker } });
    } finally {
      await gateway.ticket.dataSource.query('ALTER TABLE helpdesk.organizations_gone RENAME TO organizations');
    }
    await waitFor(`the ${marker} alert`, async () => listener.alerts.some((alert) => alert.requestId === marker));
    return listener.alerts.map((alert) => alert.requestId ?? alert.message).filter((id) => id !== marker && !String(id).startsWith('marker-'));
  }

  async function expectValidation(response: Response, field: string): Promise<void> {
    const body = (await response.json()) as { statusCode: number; error: string; message: string | string[] };
    expect({ status: response.status, body }).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
    expect([body.message].flat().join('; ')).toContain(field);
  }

  it('answers a forged ticket-list cursor with 400 naming the cursor, and raises no admin alert', async () => {
    const response = await gateway.call(`/tickets?cursor=${forgedCursor('zzz')}`, { token: customer.accessToken });

    await expectValidation(response, 'cursor');
    expect(await alertsRaisedSoFar('marker-forged-cursor')).toEqual([]);
  });

  it.each([
    ['a date for a date sort', '-createdAt', 'zzz'],
    ['a date for the due-time sort', 'resolutionDueAt', '2026-13-45T99:00:00Z'],
    ['a rank for the priority sort', 'priority', 'urgent'],
    ['a whole rank for the priority sort', '-priority', 2.5],
    ['a date, not a number, for a date sort', 'updatedAt', 1e308],
  ])('checks the cursor value per sort field: %s', async (_name, sort, value) => {
    await expectValidation(await gateway.call(`/tickets?sort=${sort}&cursor=${forgedCursor(value)}`, { token: agent.accessToken }), 'cursor');
  });

  it('refuses a cursor whose id is not a UUID, on every paged list', async () => {
    const dashes = '-'.repeat(36);
    const responses = [
      await gateway.call(`/tickets?cursor=${forgedCursor(new Date().toISOString(), dashes)}`, { token: agent.accessToken }),
      await gateway.call(`/tickets/${ticketId}/comments?cursor=${forgedCursor(new Date().toISOString(), dashes)}`, { token: customer.accessToken }),
      await gateway.call(`/tickets/${ticketId}/comments?cursor=${forgedCursor('zzz')}`, { token: customer.accessToken }),
      await gateway.call(`/users?cursor=${forgedCursor('Ada', dashes)}`, { token: admin.accessToken }),
    ];
    for (const response of responses) await expectValidation(response, 'cursor');
    expect(await alertsRaisedSoFar('marker-cursor-ids')).toEqual([]);
  });

  it('answers 400 for text PostgreSQL cannot compare (a NUL character) in filters, and stores written text without it', async () => {
    const filters = [
      await gateway.call(`/tickets?q=${encodeURIComponent('printer\u0000')}`, { token: agent.accessToken }),
      await gateway.call(`/tickets?tag=${encodeURIComponent('a\u0000b')}`, { token: agent.accessToken }),
    ];
    const ticket = await gateway.call('/tickets', { token: customer.accessToken, body: { subject: 'Nul\u0000 subject', description: 'x' } });
    const comment = await gateway.call(`/tickets/${ticketId}/comments`, { token: customer.accessToken, body: { body: 'nul\u0000 body' } });
    const team = await gateway.call('/teams', { token: admin.accessToken, body: { name: 'Tier\u00002' } });

    expect(filters.map((response) => response.status)).toEqual([400, 400]);
    expect([ticket.status, comment.status, team.status]).toEqual([201, 201, 201]);
    expect(((await ticket.json()) as { subject: string }).subject).toBe('Nul subject');
    expect(await alertsRaisedSoFar('marker-nul')).toEqual([]);
  });

  it('names the path parameter when an id is not a UUID', async () => {
    const responses = [
      await gateway.call('/tickets/12345', { token: agent.accessToken }),
      await gateway.call('/teams/not-a-team', { method: 'PATCH', token: admin.accessToken, body: { name: 'x' } }),
      await gateway.call('/attachments/..%2F..%2Fetc', { token: agent.accessToken }),
    ];
    for (const response of responses) expect({ status: response.status, body: await response.json() }).toMatchObject({ status: 400, body: { message: ['id must be a UUID'] } });
  });

  it('answers malformed numbers, flags, ids, versions and time zones in queries and bodies with 400, never 500', async () => {
    const team = (await (await gateway.call('/teams', { token: admin.accessToken, body: { name: 'Audit team' } })).json()) as { id: string };
    const policy = ((await (await gateway.call('/sla-policies', { token: admin.accessToken })).json()) as { items: Array<{ id: string }> }).items[0]!;
    const responses = {
      limitText: await gateway.call('/tickets?limit=abc', { token: agent.accessToken }),
      limitHuge: await gateway.call('/tickets?limit=99999999999999999999999', { token: agent.accessToken }),
      limitNegative: await gateway.call('/tickets?limit=-1', { token: agent.accessToken }),
      limitTwice: await gateway.call('/tickets?limit=1&limit=2', { token: agent.accessToken }),
      breached: await gateway.call('/tickets?breached=maybe', { token: agent.accessToken }),
      assignee: await gateway.call('/tickets?assigneeId=nobody', { token: agent.accessToken }),
      status: await gateway.call('/tickets?status=open,zzz', { token: agent.accessToken }),
      ifMatch: await gateway.call(`/tickets/${ticketId}`, { method: 'PATCH', token: agent.accessToken, body: { subject: 'x' }, headers: { 'if-match': '"v-abc"' } }),
      members: await gateway.call(`/teams/${team.id}/members`, { method: 'PUT', token: admin.accessToken, body: { memberIds: ['not-a-uuid'] } }),
      timezone: await gateway.call('/organization', { method: 'PUT', token: admin.accessToken, body: { timezone: 'Mars/Olympus_Mons' } }),
      minutes: await gateway.call(`/sla-policies/${policy.id}`, { method: 'PATCH', token: admin.accessToken, body: { resolutionMinutes: 1e300 } }),
      assigneeBody: await gateway.call(`/tickets/${ticketId}`, { method: 'PATCH', token: agent.accessToken, body: { assigneeId: '------------------------------------' } }),
    };

    expect(Object.fromEntries(Object.entries(responses).map(([name, response]) => [name, response.status]))).toEqual(Object.fromEntries(Object.keys(responses).map((name) => [name, 400])));
    expect(await alertsRaisedSoFar('marker-audit')).toEqual([]);
  });

  it('pages through tickets sorted by due time, those without a due time last, to the end', async () => {
    const desk = await gateway.signup('No Policy Desk');
    await gateway.ticket.dataSource.query('UPDATE helpdesk.sla_policies SET active = false WHERE organization_id = $1', [desk.organization.id]);
    const created: string[] = [];
    for (const subject of ['one', 'two', 'three']) {
      const response = await gateway.call('/tickets', { token: desk.accessToken, body: { subject, description: 'x' } });
      created.push(((await response.json()) as { id: string }).id);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await gateway.call(`/tickets?sort=resolutionDueAt&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: desk.accessToken });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: Array<{ id: string }>; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen.sort()).toEqual(created.sort());
  });
});
