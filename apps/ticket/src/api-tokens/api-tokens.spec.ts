import { subjects, type ApiTokenView, type CreatedApiTokenView, type Page, type Principal, type VerifiedApiToken } from '@helpdesk/contracts';
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

  it('lists the live tokens a page at a time, newest first, without their secret, until nextCursor is null', async () => {
    const { admin: pagedAdmin } = await harness.signup('Paged Desk');
    const [first, second, third] = [await create(pagedAdmin, { name: 'one' }), await create(pagedAdmin, { name: 'two' }), await create(pagedAdmin, { name: 'three' })];
    const revoked = await create(pagedAdmin, { name: 'gone' });
    await harness.send(subjects.apiTokens.revoke, { principal: pagedAdmin, tokenId: revoked.id });

    const page1 = await harness.send<Page<ApiTokenView>>(subjects.apiTokens.list, { principal: pagedAdmin, limit: 2 });
    expect(page1.items.map((token) => token.name)).toEqual(['three', 'two']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await harness.send<Page<ApiTokenView>>(subjects.apiTokens.list, { principal: pagedAdmin, limit: 2, cursor: page1.nextCursor });
    expect(page2).toEqual({ items: [expect.objectContaining({ id: first.id, name: 'one', prefix: first.token.slice(0, 10) })], nextCursor: null });
    expect(JSON.stringify([page1, page2])).not.toContain(second.token.slice(10));

    const whole = await harness.send<Page<ApiTokenView>>(subjects.apiTokens.list, { principal: pagedAdmin });
    expect(whole).toEqual({ items: [third, second, first].map(({ id }) => expect.objectContaining({ id })), nextCursor: null });
  });

  it('answers VALIDATION for a cursor it did not make or a limit out of 1 to 100', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const query of [{ cursor: 'not-a-cursor' }, { cursor: forged }, { limit: 0 }, { limit: 101 }, { limit: 'ten' }]) {
      expect(await harness.fail(subjects.apiTokens.list, { principal: admin, ...query })).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/cursor|limit/) });
    }
  });

  it("never lists another organization's tokens, even given a cursor from that organization's list", async () => {
    const { admin: ours } = await harness.signup('Our Desk');
    const { admin: theirs } = await harness.signup('Their Desk');
    const their = await create(theirs, { name: 'theirs' });
    for (const name of ['a', 'b', 'c']) await create(ours, { name });
    const page = await harness.send<Page<ApiTokenView>>(subjects.apiTokens.list, { principal: ours, limit: 2 });
    expect(await harness.send(subjects.apiTokens.list, { principal: theirs, cursor: page.nextCursor })).toEqual({ items: [expect.objectContaining({ id: their.id })], nextCursor: null });
    expect(await harness.send(subjects.apiTokens.list, { principal: theirs })).toEqual({ items: [expect.objectContaining({ id: their.id })], nextCursor: null });
  });

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
