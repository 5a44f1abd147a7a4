import type { ApiTokenScope, ApiTokenView, CreatedApiTokenView, Page, TicketHistoryEntry, TicketView } from '@helpdesk/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

/** API tokens over HTTP (DESIGN section 16): created once, used like a person, limited by scopes, revoked everywhere at once. */
describe('API tokens', () => {
  let a: GatewayHarness;
  let b: GatewayHarness;
  let admin: SignedUpAdmin;
  let otherAdmin: SignedUpAdmin;

  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    const body = (text ? JSON.parse(text) : undefined) as T;
    expect({ status: response.status, body }).toMatchObject({ status });
    return body;
  };
  const createToken = async (scopes: ApiTokenScope[], extra: { expiresAt?: string; by?: string } = {}) =>
    json<CreatedApiTokenView>(await a.call('/api-tokens', { token: extra.by ?? admin.accessToken, body: { name: `script ${scopes.join(' ')}`, scopes, expiresAt: extra.expiresAt } }), 201);

  beforeAll(async () => {
    a = await GatewayHarness.start('api-tokens');
    b = await a.startReplica();
    admin = await a.signup('Token Desk');
    otherAdmin = await a.signup('Other Desk');
  });

  afterAll(() => a?.stop());

  it('answers the secret once, lists tokens without it, and lets a script act as its creator within its scopes', async () => {
    const created = await createToken(['tickets:read', 'tickets:write'], { expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(created).toMatchObject({ name: 'script tickets:read tickets:write', scopes: ['tickets:read', 'tickets:write'], expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(created.token).toMatch(/^hdp_[A-Za-z0-9_-]{43}$/);

    const ticket = await json<TicketView>(await b.call('/tickets', { token: created.token, body: { subject: 'From a script', description: 'Opened by cron' } }), 201);
    expect(ticket.requesterId).toBe(admin.user.id);
    const page = await json<Page<TicketView>>(await a.call('/tickets', { token: created.token }), 200);
    expect(page.items.map((item) => item.id)).toContain(ticket.id);

    const listed = (await json<Page<ApiTokenView>>(await a.call('/api-tokens', { token: admin.accessToken }), 200)).items;
    const entry = listed.find((token) => token.id === created.id)!;
    expect(entry).toMatchObject({ name: created.name, scopes: created.scopes, prefix: created.token.slice(0, 10), createdBy: admin.user.id, expiresAt: created.expiresAt });
    expect(entry.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(Object.keys(entry).sort()).toEqual(['createdAt', 'createdBy', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'scopes']);
  });

  it('pages the list with ?limit and ?cursor, newest first, until nextCursor is null', async () => {
    const desk = await a.signup('Paged Token Desk');
    const names = ['first', 'second', 'third'];
    for (const name of names) await json(await a.call('/api-tokens', { token: desk.accessToken, body: { name, scopes: ['tickets:read'] } }), 201);
    const page1 = await json<Page<ApiTokenView>>(await a.call('/api-tokens?limit=2', { token: desk.accessToken }), 200);
    expect(page1.items.map((token) => token.name)).toEqual(['third', 'second']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await json<Page<ApiTokenView>>(await b.call(`/api-tokens?limit=2&cursor=${page1.nextCursor}`, { token: desk.accessToken }), 200);
    expect(page2.items.map((token) => token.name)).toEqual(['first']);
    expect(page2.nextCursor).toBeNull();
    expect(await json(await a.call('/api-tokens', { token: desk.accessToken }), 200)).toMatchObject({ items: [{ name: 'third' }, { name: 'second' }, { name: 'first' }], nextCursor: null });
  });

  it('answers 400 naming a malformed cursor or a limit out of 1 to 100', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const [query, named] of [[`cursor=${forged}`, 'cursor'], ['cursor=nonsense', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit']] as const) {
      const refused = await json<{ message: string | string[] }>(await a.call(`/api-tokens?${query}`, { token: admin.accessToken }), 400);
      expect({ query, message: [refused.message].flat().join('; ') }).toEqual({ query, message: expect.stringContaining(named) });
    }
  });

  it('refuses a route outside the token\'s scopes with 403 naming the scope, and session routes with 403', async () => {
    const reader = await createToken(['tickets:read']);
    const refused = await json<{ message: string }>(await a.call('/tickets', { token: reader.token, body: { subject: 'x', description: 'y' } }), 403);
    expect(refused.message).toBe('This API token lacks the scope tickets:write, which this route needs');
    expect((await json<{ message: string }>(await a.call('/users', { token: reader.token }), 403)).message).toMatch(/users:read/);
    for (const [path, method] of [['/me', 'GET'], ['/me/password', 'POST'], ['/auth/logout', 'POST'], ['/auth/refresh', 'POST']] as const) {
      const session = await json<{ message: string }>(await a.call(path, { method, token: reader.token, body: method === 'POST' ? {} : undefined }), 403);
      expect(session.message).toMatch(/API tokens cannot use session routes/);
    }
  });

  it('lets only admins, or tokens with the admin scope, manage tokens', async () => {
    const agent = await a.addUser(admin.organization.id, 'agent');
    await json(await a.call('/api-tokens', { token: agent.accessToken, body: { name: 'mine', scopes: ['tickets:read'] } }), 403);
    await json(await a.call('/api-tokens', { token: agent.accessToken }), 403);
    const manager = await createToken(['admin']);
    const made = await createToken(['users:read'], { by: manager.token });
    expect((await json<Page<ApiTokenView>>(await a.call('/api-tokens', { token: manager.token }), 200)).items.map((token) => token.id)).toContain(made.id);
    const writer = await createToken(['tickets:write']);
    expect((await json<{ message: string }>(await a.call('/api-tokens', { token: writer.token }), 403)).message).toMatch(/scope admin/);
  });

  it('answers 400 naming an unknown scope, a past expiry, or a bad name', async () => {
    const unknown = await json<{ message: string[] }>(await a.call('/api-tokens', { token: admin.accessToken, body: { name: 'x', scopes: ['tickets:read', 'tickets:delete'] } }), 400);
    expect(JSON.stringify(unknown.message)).toContain('unknown scope \\"tickets:delete\\"');
    const past = await json<{ message: string }>(await a.call('/api-tokens', { token: admin.accessToken, body: { name: 'x', scopes: ['admin'], expiresAt: '2020-01-01T00:00:00Z' } }), 400);
    expect(past.message).toBe('expiresAt must be in the future');
    await json(await a.call('/api-tokens', { token: admin.accessToken, body: { name: '', scopes: ['admin'] } }), 400);
    await json(await a.call('/api-tokens', { token: admin.accessToken, body: { name: 'x'.repeat(101), scopes: ['admin'] } }), 400);
    await json(await a.call('/api-tokens', { token: admin.accessToken, body: { name: 'x', scopes: [] } }), 400);
  });

  it("hides another organization's tokens: listing leaves them out and revoking answers 404", async () => {
    const theirs = await createToken(['tickets:read'], { by: otherAdmin.accessToken });
    await json(await a.call(`/api-tokens/${theirs.id}`, { method: 'DELETE', token: admin.accessToken }), 404);
    expect((await json<Page<ApiTokenView>>(await a.call('/api-tokens', { token: admin.accessToken }), 200)).items.map((token) => token.id)).not.toContain(theirs.id);
    // A cursor is a position, not a key: given another organization's, the list still holds only the caller's own tokens.
    const newer = await createToken(['tickets:read'], { by: otherAdmin.accessToken });
    const theirPage = await json<Page<ApiTokenView>>(await a.call('/api-tokens?limit=1', { token: otherAdmin.accessToken }), 200);
    expect(theirPage.items.map((token) => token.id)).toEqual([newer.id]);
    const ours = await json<Page<ApiTokenView>>(await a.call(`/api-tokens?limit=100&cursor=${theirPage.nextCursor}`, { token: admin.accessToken }), 200);
    expect(ours.items.length).toBeGreaterThan(0);
    expect(ours.items.map((token) => token.id)).not.toContain(theirs.id);
    expect(ours.items.map((token) => token.createdBy)).not.toContain(otherAdmin.user.id);
    await json(await a.call('/tickets', { token: theirs.token }), 200);
  });

  it('refuses a revoked token on every replica within a second', async () => {
    const created = await createToken(['tickets:read']);
    await json(await a.call('/tickets', { token: created.token }), 200);
    await json(await b.call('/tickets', { token: created.token }), 200);
    await json(await a.call(`/api-tokens/${created.id}`, { method: 'DELETE', token: admin.accessToken }), 204);
    const revokedAt = Date.now();
    const onA = await json<{ message: string }>(await a.call('/tickets', { token: created.token }), 401);
    const onB = await json<{ message: string }>(await b.call('/tickets', { token: created.token }), 401);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    expect([onA.message, onB.message]).toEqual(['The API token is invalid, revoked or expired', 'The API token is invalid, revoked or expired']);
    await json(await a.call(`/api-tokens/${created.id}`, { method: 'DELETE', token: admin.accessToken }), 404);
    expect((await json<Page<ApiTokenView>>(await a.call('/api-tokens', { token: admin.accessToken }), 200)).items.map((token) => token.id)).not.toContain(created.id);
  });

  it('refuses a token once it expires, and once its creator is deactivated', async () => {
    const shortLived = await createToken(['tickets:read'], { expiresAt: new Date(Date.now() + 1_500).toISOString() });
    await json(await a.call('/tickets', { token: shortLived.token }), 200);
    await sleep(1_600);
    await json(await a.call('/tickets', { token: shortLived.token }), 401);

    const secondAdmin = await a.addUser(admin.organization.id, 'admin');
    const theirs = await createToken(['tickets:read'], { by: secondAdmin.accessToken });
    await json(await a.call('/tickets', { token: theirs.token }), 200);
    await json(await a.call(`/users/${secondAdmin.principal.userId}`, { method: 'DELETE', token: admin.accessToken }), 204);
    await json(await a.call('/tickets', { token: theirs.token }), 401);
  });

  it("records the token beside its creator in the ticket's history and in the events' actor", async () => {
    const created = await createToken(['tickets:read', 'tickets:write']);
    const ticket = await json<TicketView>(await a.call('/tickets', { token: created.token, body: { subject: 'Audited', description: 'x' } }), 201);
    await json(await a.call(`/tickets/${ticket.id}`, { method: 'PATCH', token: created.token, body: { priority: 'high' } }), 200);
    await json(await a.call(`/tickets/${ticket.id}`, { method: 'PATCH', token: admin.accessToken, body: { priority: 'low' } }), 200);
    const history = await json<Page<TicketHistoryEntry>>(await a.call(`/tickets/${ticket.id}/events`, { token: admin.accessToken }), 200);
    const viaToken = { id: created.id, name: created.name };
    expect(history.items.map(({ action, actorId, apiToken }) => ({ action, actorId, apiToken }))).toEqual([
      { action: 'created', actorId: admin.user.id, apiToken: viaToken },
      { action: 'updated', actorId: admin.user.id, apiToken: viaToken },
      { action: 'updated', actorId: admin.user.id, apiToken: null },
    ]);
    await expect
      .poll(async () => (await a.ticket.storedEvents()).filter((event) => event.envelope.aggregateId === ticket.id).map((event) => [event.envelope.type, event.envelope.actor]))
      .toEqual([
        ['ticket.created', { userId: admin.user.id, role: 'admin', apiToken: viaToken }],
        ['ticket.updated', { userId: admin.user.id, role: 'admin', apiToken: viaToken }],
        ['ticket.updated', { userId: admin.user.id, role: 'admin' }],
      ]);
  });

  it('writes lastUsedAt at most once a minute per token', async () => {
    const created = await createToken(['tickets:read']);
    const lastUsed = async () => ((await a.ticket.dataSource.query(`SELECT last_used_at FROM helpdesk.api_tokens WHERE id = $1`, [created.id])) as Array<{ last_used_at: Date | null }>)[0]!.last_used_at;
    expect(await lastUsed()).toBeNull();
    await json(await a.call('/tickets', { token: created.token }), 200);
    const first = await lastUsed();
    await json(await b.call('/tickets', { token: created.token }), 200);
    expect(await lastUsed()).toEqual(first);
    await a.ticket.dataSource.query(`UPDATE helpdesk.api_tokens SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [created.id]);
    await json(await a.call('/tickets', { token: created.token }), 200);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(first!.getTime());
  });

  it('refuses a made-up or malformed token with 401', async () => {
    await json(await a.call('/tickets', { token: `hdp_${'A'.repeat(43)}` }), 401);
    const malformed = await json<{ message: string }>(await a.call('/tickets', { token: 'hdp_short' }), 401);
    expect(malformed.message).toBe('The API token is invalid, revoked or expired');
  });
});
