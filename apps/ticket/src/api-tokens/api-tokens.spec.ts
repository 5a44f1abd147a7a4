import { subjects, type CreatedApiTokenView, type Principal, type VerifiedApiToken } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketHarness } from '../testing/ticket-harness.js';

/** The API token commands as the ticket service answers them, whoever sends them (the gateway's checks aside). */
describe('API token commands', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let otherAdmin: Principal;

  const create = (principal: Principal, body: Record<string, unknown> = {}) =>
    harness.send<CreatedApiTokenView>(subjects.apiTokens.create, { principal, name: 'sync', scopes: ['tickets:read'], ...body });

  beforeAll(async () => {
    harness = await TicketHarness.start('api-tokens');
    ({ admin } = await harness.signup('Acme Support'));
    ({ admin: otherAdmin } = await harness.signup('Globex Helpdesk'));
  });

  afterAll(() => harness?.stop());

  it('refuses agents and customers every management command', async () => {
    const token = await create(admin);
    for (const role of ['agent', 'customer'] as const) {
      const principal = await harness.addUser(admin.orgId, role);
      expect(await harness.fail(subjects.apiTokens.create, { principal, name: 'mine', scopes: ['tickets:read'] })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.apiTokens.list, { principal })).toMatchObject({ code: 'FORBIDDEN' });
      expect(await harness.fail(subjects.apiTokens.revoke, { principal, tokenId: token.id })).toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it("answers NOT_FOUND for another organization's token and stores only the secret's hash", async () => {
    const token = await create(admin);
    expect(await harness.fail(subjects.apiTokens.revoke, { principal: otherAdmin, tokenId: token.id })).toMatchObject({ code: 'NOT_FOUND' });
    const [row] = (await harness.dataSource.query(`SELECT * FROM helpdesk.api_tokens WHERE id = $1`, [token.id])) as Array<Record<string, unknown>>;
    expect(JSON.stringify(row)).not.toContain(token.token.slice(10));
    expect(row).toMatchObject({ prefix: token.token.slice(0, 10), revoked_at: null });
  });

  it("answers the creator's current role, so a demoted admin's token no longer acts as an admin", async () => {
    const secondAdmin = await harness.addUser(admin.orgId, 'admin');
    const token = await create(secondAdmin, { scopes: ['admin', 'tickets:read'] });
    expect(await harness.send<VerifiedApiToken>(subjects.apiTokens.verify, { token: token.token })).toEqual({
      principal: { orgId: admin.orgId, userId: secondAdmin.userId, role: 'admin' },
      tokenId: token.id,
      name: 'sync',
      scopes: ['admin', 'tickets:read'],
    });
    await harness.dataSource.query(`UPDATE helpdesk.users SET role = 'agent' WHERE id = $1`, [secondAdmin.userId]);
    expect((await harness.send<VerifiedApiToken>(subjects.apiTokens.verify, { token: token.token })).principal.role).toBe('agent');
  });

  it('answers UNAUTHORIZED for an unknown token, or one not shaped as hdp_ and 43 characters', async () => {
    const token = await create(admin);
    expect(await harness.fail(subjects.apiTokens.verify, { token: token.token.slice(4) })).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await harness.fail(subjects.apiTokens.verify, { token: `${token.token}x` })).toMatchObject({ code: 'UNAUTHORIZED', message: 'The API token is invalid, revoked or expired' });
  });
});
