import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

/** Every PATCH is partial: fields left out keep their value, an empty body changes nothing (DESIGN section 6). */
describe('partial updates through PATCH', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('partial-updates');
    admin = await gateway.signup('Partial Desk');
  });

  afterAll(() => gateway?.stop());

  const patch = (path: string, body: unknown) => gateway.call(path, { method: 'PATCH', token: admin.accessToken, body });
  const created = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await gateway.call(path, { token: admin.accessToken, body });
    expect(response.status).toBe(201);
    return (await response.json()) as T;
  };

  it('renames a team, and answers an empty PATCH with the team unchanged', async () => {
    const team = await created<{ id: string; name: string }>('/teams', { name: 'Tier 1' });

    const empty = await patch(`/teams/${team.id}`, {});
    const renamed = await patch(`/teams/${team.id}`, { name: 'Tier 2' });
    const blank = await patch(`/teams/${team.id}`, { name: null });

    expect({ status: empty.status, body: await empty.json() }).toMatchObject({ status: 200, body: { id: team.id, name: 'Tier 1' } });
    expect({ status: renamed.status, body: await renamed.json() }).toMatchObject({ status: 200, body: { id: team.id, name: 'Tier 2' } });
    expect({ status: blank.status, body: await blank.json() }).toMatchObject({ status: 400, body: { message: expect.arrayContaining([expect.stringMatching(/^name /)]) } });
  });

  it('changes one field of a user, an SLA policy and a ticket, keeping the others', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    const policies = ((await (await gateway.call('/sla-policies', { token: admin.accessToken })).json()) as { items: Array<{ id: string; name: string; resolutionMinutes: number }> }).items;
    const policy = policies[0]!;
    const ticket = await created<{ id: string; subject: string }>('/tickets', { subject: 'Keep my subject', description: 'x' });

    const responses = [
      await patch(`/users/${agent.principal.userId}`, { name: 'Renamed Agent' }),
      await patch(`/users/${agent.principal.userId}`, {}),
      await patch(`/sla-policies/${policy.id}`, { name: 'Renamed policy' }),
      await patch(`/sla-policies/${policy.id}`, {}),
      await patch(`/tickets/${ticket.id}`, { tags: ['vpn'] }),
      await patch(`/tickets/${ticket.id}`, {}),
      await patch('/me', {}),
    ];
    const bodies = await Promise.all(responses.map((response) => response.json()));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(bodies[1]).toMatchObject({ name: 'Renamed Agent', role: 'agent', active: true });
    expect(bodies[3]).toMatchObject({ name: 'Renamed policy', resolutionMinutes: policy.resolutionMinutes });
    expect(bodies[5]).toMatchObject({ subject: 'Keep my subject', tags: ['vpn'] });
  });
});
