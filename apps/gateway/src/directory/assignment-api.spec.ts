import type { MeReply, TeamView, TicketView, UserView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

/** Team assignment over REST (DESIGN section 14): the team rule, user capacity and availability, and their OpenAPI. */
describe('assignment settings over REST', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('assignment-api');
    admin = await gateway.signup('Assigning Desk');
  });

  afterAll(() => gateway?.stop());

  const call = async <T>(path: string, token: string, method: string, body?: unknown) => {
    const response = await gateway.call(path, { method, token, ...(body === undefined ? {} : { body }) });
    return { status: response.status, body: (await response.json()) as T };
  };

  it('an admin sets a team to round robin and an agent capacity; the agent sets their availability; a ticket for the team is assigned', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const team = await call<TeamView>('/teams', admin.accessToken, 'POST', { name: 'Round', assignment: 'round_robin' });
    expect(team).toMatchObject({ status: 201, body: { assignment: 'round_robin' } });
    expect((await call<TeamView>(`/teams/${team.body.id}`, admin.accessToken, 'PATCH', { assignment: 'load_balanced' })).body.assignment).toBe('load_balanced');
    await call(`/teams/${team.body.id}/members`, admin.accessToken, 'PUT', { memberIds: [agent.principal.userId] });
    const capped = await call<UserView>(`/users/${agent.principal.userId}`, admin.accessToken, 'PATCH', { capacity: 5 });
    expect(capped).toMatchObject({ status: 200, body: { capacity: 5, availability: 'offline', availabilitySetting: 'online' } });
    const away = await call<MeReply>('/me', agent.accessToken, 'PATCH', { availability: 'away' });
    expect(away).toMatchObject({ status: 200, body: { user: { availability: 'away', availabilitySetting: 'away' } } });
    await call<MeReply>('/me', agent.accessToken, 'PATCH', { availability: 'online' });
    // What the realtime service reports when the agent opens the console.
    await gateway.ticket.reportPresence([agent.principal]);
    const created = await call<TicketView>('/tickets', admin.accessToken, 'POST', { subject: 'Route me', description: 'x', teamId: team.body.id });
    expect(created.status).toBe(201);
    const assignee = await waitFor('the ticket assigned', async () => (await call<TicketView>(`/tickets/${created.body.id}`, admin.accessToken, 'GET')).body.assigneeId ?? undefined);
    expect(assignee).toBe(agent.principal.userId);
  });

  it('refuses bad values with 400 naming them, agents with 403, and other organizations with 404', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const other = await gateway.signup('Other Desk');
    const zero = await call<{ message: string[] }>(`/users/${agent.principal.userId}`, admin.accessToken, 'PATCH', { capacity: 0 });
    expect(zero.status).toBe(400);
    expect(JSON.stringify(zero.body.message)).toContain('capacity');
    const busy = await call<{ message: string[] }>('/me', agent.accessToken, 'PATCH', { availability: 'busy' });
    expect(busy.status).toBe(400);
    expect(JSON.stringify(busy.body.message)).toContain('availability');
    const rule = await call<{ message: string[] }>('/teams', admin.accessToken, 'POST', { name: 'Odd', assignment: 'random' });
    expect(rule.status).toBe(400);
    expect(JSON.stringify(rule.body.message)).toContain('assignment');
    expect((await call(`/users/${agent.principal.userId}`, agent.accessToken, 'PATCH', { capacity: 3 })).status).toBe(403);
    expect((await call(`/users/${agent.principal.userId}`, other.accessToken, 'PATCH', { capacity: 3 })).status).toBe(404);
  });

  it('documents the new fields in OpenAPI', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    const properties = (name: string) => Object.keys(document.components.schemas[name]?.properties ?? {});
    expect(properties('CreateTeamBody')).toContain('assignment');
    expect(properties('UpdateTeamBody')).toContain('assignment');
    expect(properties('UpdateUserBody')).toEqual(expect.arrayContaining(['capacity', 'availability']));
    expect(properties('UpdateMeBody')).toContain('availability');
  });
});
