import type { Page, SlaPolicyView, TeamView } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

/** GET /teams and GET /sla-policies page like every list: `?limit=`, `?cursor=`, `{ items, nextCursor }` (DESIGN section 6). */
describe('the teams and SLA policies lists', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let otherAdmin: SignedUpAdmin;

  const json = async <T>(response: Response, status: number): Promise<T> => {
    const body = (await response.json()) as T;
    expect({ status: response.status, body }).toMatchObject({ status });
    return body;
  };
  const forged = Buffer.from(JSON.stringify(['Alpha', 'not-a-uuid'])).toString('base64url');
  const badQueries = [[`cursor=${forged}`, 'cursor'], ['cursor=nonsense', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit']] as const;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('directory-lists');
    admin = await gateway.signup('Paged Directory Desk');
    otherAdmin = await gateway.signup('Other Directory Desk');
  });

  afterAll(() => gateway?.stop());

  it('pages the teams by name until nextCursor is null, for agents too', async () => {
    const agent = await gateway.addUser(admin.organization.id, 'agent');
    for (const name of ['Charlie', 'Alpha', 'Bravo']) await json(await gateway.call('/teams', { token: admin.accessToken, body: { name } }), 201);
    const page1 = await json<Page<TeamView>>(await gateway.call('/teams?limit=2', { token: agent.accessToken }), 200);
    expect(page1.items.map((team) => team.name)).toEqual(['Alpha', 'Bravo']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await json<Page<TeamView>>(await gateway.call(`/teams?limit=2&cursor=${page1.nextCursor}`, { token: agent.accessToken }), 200);
    expect(page2).toEqual({ items: [expect.objectContaining({ name: 'Charlie' })], nextCursor: null });
    expect(await json(await gateway.call('/teams', { token: admin.accessToken }), 200)).toEqual({ items: ['Alpha', 'Bravo', 'Charlie'].map((name) => expect.objectContaining({ name })), nextCursor: null });
  });

  it('pages the SLA policies, most urgent first and newest first within a priority, until nextCursor is null', async () => {
    const desk = await gateway.signup('Paged Policy Desk');
    const created = await json<SlaPolicyView>(
      await gateway.call('/sla-policies', { token: desk.accessToken, body: { name: 'Premium', priority: 'high', firstResponseMinutes: 30, resolutionMinutes: 240, businessHoursOnly: false } }),
      201,
    );
    const seen: SlaPolicyView[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<SlaPolicyView> = await json(await gateway.call(`/sla-policies?includeInactive=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: desk.accessToken }), 200);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((policy) => [policy.priority, policy.active])).toEqual([
      ['urgent', true],
      ['high', true],
      ['high', false],
      ['normal', true],
      ['low', true],
    ]);
    expect(seen[1]!.id).toBe(created.id);
    expect(await json<Page<SlaPolicyView>>(await gateway.call('/sla-policies', { token: desk.accessToken }), 200)).toMatchObject({ items: { length: 4 }, nextCursor: null });
  });

  it('answers 400 naming a malformed cursor or a limit out of 1 to 100, on both lists', async () => {
    for (const path of ['/teams', '/sla-policies']) {
      for (const [query, named] of badQueries) {
        const refused = await json<{ message: string | string[] }>(await gateway.call(`${path}?${query}`, { token: admin.accessToken }), 400);
        expect({ path, query, message: [refused.message].flat().join('; ') }).toEqual({ path, query, message: expect.stringContaining(named) });
      }
    }
  });

  it("keeps organizations apart: another organization's cursor never reaches this organization's teams or policies", async () => {
    const theirTeam = await json<TeamView>(await gateway.call('/teams', { token: otherAdmin.accessToken, body: { name: 'Zulu' } }), 201);
    for (const name of ['One', 'Two']) await json(await gateway.call('/teams', { token: otherAdmin.accessToken, body: { name } }), 201);
    const theirTeams = await json<Page<TeamView>>(await gateway.call('/teams?limit=1', { token: otherAdmin.accessToken }), 200);
    const ours = await json<Page<TeamView>>(await gateway.call(`/teams?limit=100&cursor=${theirTeams.nextCursor}`, { token: admin.accessToken }), 200);
    expect(ours.items.map((team) => team.id)).not.toContain(theirTeam.id);
    expect((await json<Page<TeamView>>(await gateway.call('/teams?limit=100', { token: admin.accessToken }), 200)).items.map((team) => team.id)).not.toContain(theirTeam.id);

    const theirPolicies = await json<Page<SlaPolicyView>>(await gateway.call('/sla-policies?limit=1', { token: otherAdmin.accessToken }), 200);
    const ourPolicies = await json<Page<SlaPolicyView>>(await gateway.call(`/sla-policies?limit=100&cursor=${theirPolicies.nextCursor}`, { token: admin.accessToken }), 200);
    const theirIds = (await json<Page<SlaPolicyView>>(await gateway.call('/sla-policies?limit=100&includeInactive=true', { token: otherAdmin.accessToken }), 200)).items.map((policy) => policy.id);
    expect(ourPolicies.items.filter((policy) => theirIds.includes(policy.id))).toEqual([]);
  });
});
