import type { Page, TicketFollowerView, TicketHistoryEntry } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** GET/POST /tickets/:id/followers and DELETE /tickets/:id/followers/me: staff follow tickets for themselves (issue 18). */
describe("a ticket's followers", () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('ticket-followers');
    admin = await gateway.signup('Follow Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  async function newTicket(token = customer.accessToken): Promise<string> {
    const created = await gateway.call('/tickets', { token, body: { subject: 'Who follows', description: 'x' } });
    expect(created.status).toBe(201);
    return ((await created.json()) as { id: string }).id;
  }
  const follow = (ticketId: string, token = agent.accessToken) => gateway.call(`/tickets/${ticketId}/followers`, { method: 'POST', token });
  const unfollow = (ticketId: string, token = agent.accessToken) => gateway.call(`/tickets/${ticketId}/followers/me`, { method: 'DELETE', token });
  const page = async (ticketId: string, token = agent.accessToken, query = '') => {
    const response = await gateway.call(`/tickets/${ticketId}/followers${query}`, { token });
    expect(response.status).toBe(200);
    return (await response.json()) as Page<TicketFollowerView>;
  };
  /** The whole list: these tickets have far fewer followers than a page holds. */
  const list = async (ticketId: string, token = agent.accessToken) => {
    const { items, nextCursor } = await page(ticketId, token);
    expect(nextCursor).toBeNull();
    return items;
  };

  it('lets an agent follow and unfollow, each recorded in the history and announced as ticket.updated', async () => {
    const ticketId = await newTicket();

    const followed = await follow(ticketId);

    expect(followed.status).toBe(201);
    const follower = (await followed.json()) as TicketFollowerView;
    expect(follower).toEqual({ userId: agent.principal.userId, name: expect.any(String), followedAt: expect.any(String) });
    expect((await follow(ticketId, admin.accessToken)).status).toBe(201);
    expect((await list(ticketId, admin.accessToken)).map((row) => row.userId)).toEqual([agent.principal.userId, admin.user.id]);

    const again = await follow(ticketId);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe('You already follow this ticket');

    expect((await unfollow(ticketId)).status).toBe(204);
    expect((await list(ticketId)).map((row) => row.userId)).toEqual([admin.user.id]);
    const notFollowing = await unfollow(ticketId);
    expect(notFollowing.status).toBe(404);
    expect(((await notFollowing.json()) as { message: string }).message).toBe('You do not follow this ticket');

    const history = (await (await gateway.call(`/tickets/${ticketId}/events`, { token: agent.accessToken })).json()) as Page<TicketHistoryEntry>;
    expect(history.items.slice(1).map(({ action, actorId, changes }) => ({ action, actorId, changes }))).toEqual([
      { action: 'follower.added', actorId: agent.principal.userId, changes: { followers: { from: null, to: follower.name } } },
      { action: 'follower.added', actorId: admin.user.id, changes: { followers: { from: null, to: admin.user.name } } },
      { action: 'follower.removed', actorId: agent.principal.userId, changes: { followers: { from: follower.name, to: null } } },
    ]);
    const events = (await gateway.ticket.dataSource.query(
      `SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'ticket.updated' ORDER BY created_at, id`,
      [ticketId],
    )) as Array<{ envelope: { actor: { userId: string }; data: { ticket: { id: string }; changes: unknown } } }>;
    expect(events.map((row) => [row.envelope.actor.userId, row.envelope.data.changes])).toEqual([
      [agent.principal.userId, { followers: { from: null, to: follower.name } }],
      [admin.user.id, { followers: { from: null, to: admin.user.name } }],
      [agent.principal.userId, { followers: { from: follower.name, to: null } }],
    ]);
    expect(events[0]!.envelope.data.ticket).toMatchObject({ id: ticketId });
  });

  it('pages the followers with ?limit and ?cursor, oldest first, until nextCursor is null', async () => {
    const ticketId = await newTicket();
    const others = [await gateway.addUser(admin.organization.id, 'agent'), await gateway.addUser(admin.organization.id, 'agent')];
    for (const token of [agent.accessToken, admin.accessToken, ...others.map((other) => other.accessToken)]) expect((await follow(ticketId, token)).status).toBe(201);
    const order = [agent.principal.userId, admin.user.id, ...others.map((other) => other.principal.userId)];

    const page1 = await page(ticketId, agent.accessToken, '?limit=3');
    expect(page1.items.map((row) => row.userId)).toEqual(order.slice(0, 3));
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await page(ticketId, agent.accessToken, `?limit=3&cursor=${page1.nextCursor}`);
    expect(page2).toEqual({ items: [expect.objectContaining({ userId: order[3] })], nextCursor: null });
    expect((await list(ticketId)).map((row) => row.userId)).toEqual(order);
  });

  it('answers 400 naming a malformed cursor or a limit out of 1 to 100', async () => {
    const ticketId = await newTicket();
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const [query, named] of [[`cursor=${forged}`, 'cursor'], ['cursor=nonsense', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit']] as const) {
      const refused = await gateway.call(`/tickets/${ticketId}/followers?${query}`, { token: agent.accessToken });
      const message = [((await refused.json()) as { message: string | string[] }).message].flat().join('; ');
      expect({ query, status: refused.status, message }).toEqual({ query, status: 400, message: expect.stringContaining(named) });
    }
  });

  it('forbids customers on their own ticket, and answers 404 first for tickets that are not theirs', async () => {
    const ticketId = await newTicket();
    expect((await follow(ticketId)).status).toBe(201);

    expect((await gateway.call(`/tickets/${ticketId}/followers`, { token: customer.accessToken })).status).toBe(403);
    expect((await follow(ticketId, customer.accessToken)).status).toBe(403);
    expect((await unfollow(ticketId, customer.accessToken)).status).toBe(403);

    const stranger = await gateway.addUser(admin.organization.id, 'customer');
    expect((await gateway.call(`/tickets/${ticketId}/followers`, { token: stranger.accessToken })).status).toBe(404);
    expect((await follow(ticketId, stranger.accessToken)).status).toBe(404);
    expect((await unfollow(ticketId, stranger.accessToken)).status).toBe(404);
    expect((await list(ticketId)).map((row) => row.userId)).toEqual([agent.principal.userId]);
  });

  it("answers 404 for another organization's ticket and writes nothing to it; 400 for an id that is not a UUID", async () => {
    const other = await gateway.signup('Other Follow Desk');
    const otherCustomer = await gateway.addUser(other.organization.id, 'customer');
    const foreignTicket = await newTicket(otherCustomer.accessToken);

    expect((await gateway.call(`/tickets/${foreignTicket}/followers`, { token: agent.accessToken })).status).toBe(404);
    expect((await follow(foreignTicket)).status).toBe(404);
    expect((await unfollow(foreignTicket)).status).toBe(404);
    expect((await follow('nope')).status).toBe(400);
    expect(await list(foreignTicket, other.accessToken)).toEqual([]);
    // A cursor from this organization's ticket is only a position: the other ticket still lists its own followers, none of ours.
    const ours = await newTicket();
    for (const token of [agent.accessToken, admin.accessToken]) expect((await follow(ours, token)).status).toBe(201);
    const ourPage = await page(ours, agent.accessToken, '?limit=1');
    expect((await follow(foreignTicket, other.accessToken)).status).toBe(201);
    expect(await page(foreignTicket, other.accessToken, `?cursor=${ourPage.nextCursor}`)).toEqual({ items: [expect.objectContaining({ userId: other.user.id })], nextCursor: null });
    expect((await list(foreignTicket, other.accessToken)).map((row) => row.userId)).toEqual([other.user.id]);
  });

  it('goes with the ticket and with the user', async () => {
    const ticketId = await newTicket();
    const leaving = await gateway.addUser(admin.organization.id, 'agent');
    // Straight into the table: following through the API writes history naming the user, which keeps users from being deleted.
    await gateway.ticket.dataSource.query('INSERT INTO helpdesk.ticket_followers (ticket_id, user_id, organization_id) VALUES ($1, $2, $3)', [ticketId, leaving.principal.userId, admin.organization.id]);
    expect((await follow(ticketId)).status).toBe(201);
    expect(await list(ticketId)).toHaveLength(2);

    await gateway.ticket.dataSource.query('DELETE FROM helpdesk.users WHERE id = $1', [leaving.principal.userId]);
    expect((await list(ticketId)).map((row) => row.userId)).toEqual([agent.principal.userId]);
    await gateway.ticket.dataSource.query('DELETE FROM helpdesk.tickets WHERE id = $1', [ticketId]);
    const [{ count }] = (await gateway.ticket.dataSource.query('SELECT count(*)::int AS count FROM helpdesk.ticket_followers WHERE ticket_id = $1', [ticketId])) as Array<{ count: number }>;
    expect(count).toBe(0);
  });

  it('documents the three routes and their answers in OpenAPI', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/tickets/{id}/followers', 'get')).toEqual(expect.arrayContaining(['200', '403', '404']));
    expect(answers('/api/v1/tickets/{id}/followers', 'post')).toEqual(expect.arrayContaining(['201', '403', '404', '409']));
    expect(answers('/api/v1/tickets/{id}/followers/me', 'delete')).toEqual(expect.arrayContaining(['204', '403', '404']));
  });
});
