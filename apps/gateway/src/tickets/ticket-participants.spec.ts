import { MAILBOX_LIMITS, type TicketHistoryEntry, type TicketParticipantView, type Page } from '@helpdesk/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROM_DOMAIN, NotificationHarness } from '../../../notification/src/testing/notification-harness.js';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** GET/POST/DELETE /tickets/:id/participants: who is copied on a ticket, shown and managed by staff (DESIGN section 13). */
describe("a ticket's participants", () => {
  let gateway: GatewayHarness;
  let notification: NotificationHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('ticket-participants');
    // The gateway asks the notification service whether an address is the desk's own mailbox.
    notification = await NotificationHarness.start('ticket-participants', {}, { ticket: gateway.ticket });
    admin = await gateway.signup('Copy Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
  });

  afterAll(async () => {
    await notification?.stop();
    await gateway?.stop();
  });

  const address = (name = 'copied') => `${name}-${randomBytes(3).toString('hex')}@example.com`;
  async function newTicket(token = customer.accessToken): Promise<string> {
    const created = await gateway.call('/tickets', { token, body: { subject: 'Who is copied', description: 'x' } });
    expect(created.status).toBe(201);
    return ((await created.json()) as { id: string }).id;
  }
  const add = (ticketId: string, body: object, token = agent.accessToken) => gateway.call(`/tickets/${ticketId}/participants`, { token, body });
  const page = async (ticketId: string, token = agent.accessToken, query = '') => {
    const response = await gateway.call(`/tickets/${ticketId}/participants${query}`, { token });
    expect(response.status).toBe(200);
    return (await response.json()) as Page<TicketParticipantView>;
  };
  /** The whole list in one page of 100: a ticket keeps at most 100 participants. */
  const list = async (ticketId: string, token = agent.accessToken) => {
    const { items, nextCursor } = await page(ticketId, token, '?limit=100');
    expect(nextCursor).toBeNull();
    return items;
  };

  it('lets an agent add a new address (a customer without a password) and remove it again, each recorded in the history and announced', async () => {
    const ticketId = await newTicket();
    const email = address();

    const added = await add(ticketId, { email: email.toUpperCase(), name: 'Carol <b>Copied</b>' });

    expect(added.status).toBe(201);
    const participant = (await added.json()) as TicketParticipantView;
    expect(participant).toEqual({ userId: expect.any(String), name: 'Carol Copied', email, bouncingSince: null, addedAt: expect.any(String) });
    const [user] = (await gateway.ticket.dataSource.query('SELECT role, password_hash FROM helpdesk.users WHERE id = $1', [participant.userId])) as Array<{ role: string; password_hash: string | null }>;
    expect(user).toEqual({ role: 'customer', password_hash: null });
    expect(await list(ticketId)).toEqual([participant]);

    const removed = await gateway.call(`/tickets/${ticketId}/participants/${participant.userId}`, { method: 'DELETE', token: agent.accessToken });
    expect(removed.status).toBe(204);
    expect(await list(ticketId)).toEqual([]);

    const history = (await (await gateway.call(`/tickets/${ticketId}/events`, { token: agent.accessToken })).json()) as Page<TicketHistoryEntry>;
    expect(history.items.slice(1).map(({ action, actorId, changes }) => ({ action, actorId, changes }))).toEqual([
      { action: 'participant.added', actorId: agent.principal.userId, changes: { participants: { from: null, to: email } } },
      { action: 'participant.removed', actorId: agent.principal.userId, changes: { participants: { from: email, to: null } } },
    ]);
    const events = (await gateway.ticket.dataSource.query(
      `SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = 'ticket.updated' ORDER BY created_at, id`,
      [ticketId],
    )) as Array<{ envelope: { data: { ticket: { id: string; requesterId: string }; changes: unknown } } }>;
    expect(events.map((row) => row.envelope.data.changes)).toEqual([{ participants: { from: null, to: email } }, { participants: { from: email, to: null } }]);
    expect(events[0]!.envelope.data.ticket).toMatchObject({ id: ticketId, requesterId: customer.principal.userId });
  });

  it('shows the requester who is copied, without the bounce mark, and lets them change nothing', async () => {
    const ticketId = await newTicket();
    const email = address();
    const participant = (await (await add(ticketId, { email })).json()) as TicketParticipantView;
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.users SET bouncing_since = now() WHERE id = $1`, [participant.userId]);

    expect(await list(ticketId, admin.accessToken)).toEqual([{ ...participant, bouncingSince: expect.any(String) }]);
    const { bouncingSince: _staffOnly, ...publicView } = participant;
    expect(await list(ticketId, customer.accessToken)).toEqual([publicView]);

    expect((await add(ticketId, { email: address() }, customer.accessToken)).status).toBe(403);
    const removal = await gateway.call(`/tickets/${ticketId}/participants/${participant.userId}`, { method: 'DELETE', token: customer.accessToken });
    expect(removal.status).toBe(403);
    expect(await list(ticketId)).toHaveLength(1);
  });

  it('pages the participants with ?limit and ?cursor, oldest first, for staff and the requester alike, until nextCursor is null', async () => {
    const ticketId = await newTicket();
    const emails = [address('first'), address('second'), address('third')];
    for (const email of emails) expect((await add(ticketId, { email })).status).toBe(201);

    const page1 = await page(ticketId, agent.accessToken, '?limit=2');
    expect(page1.items.map((person) => person.email)).toEqual(emails.slice(0, 2));
    expect(page1.nextCursor).toEqual(expect.any(String));
    expect(await page(ticketId, agent.accessToken, `?limit=2&cursor=${page1.nextCursor}`)).toEqual({ items: [expect.objectContaining({ email: emails[2] })], nextCursor: null });
    const asRequester = await page(ticketId, customer.accessToken, `?limit=2&cursor=${page1.nextCursor}`);
    expect(asRequester).toEqual({ items: [expect.not.objectContaining({ bouncingSince: expect.anything() })], nextCursor: null });
    expect(asRequester.items[0]!.email).toBe(emails[2]);
    // Default page size (25) holds them all.
    expect(await page(ticketId)).toEqual({ items: emails.map((email) => expect.objectContaining({ email })), nextCursor: null });
  });

  it('answers 400 naming a malformed cursor or a limit out of 1 to 100', async () => {
    const ticketId = await newTicket();
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const [query, named] of [[`cursor=${forged}`, 'cursor'], ['cursor=nonsense', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit']] as const) {
      const refused = await gateway.call(`/tickets/${ticketId}/participants?${query}`, { token: agent.accessToken });
      const message = [((await refused.json()) as { message: string | string[] }).message].flat().join('; ');
      expect({ query, status: refused.status, message }).toEqual({ query, status: 400, message: expect.stringContaining(named) });
    }
  });

  it('refuses what cannot be a participant, naming the problem', async () => {
    const ticketId = await newTicket();
    const email = address();
    expect((await add(ticketId, { email })).status).toBe(201);

    const cases: Array<[object, number, RegExp]> = [
      [{ email: 'not an address' }, 400, /email must be a valid email address/],
      [{}, 400, /email/],
      [{ email }, 409, /already a participant/],
      [{ email: (await userEmail(customer.principal.userId)).toUpperCase() }, 409, /requester/],
      [{ email: admin.user.email }, 400, /staff/],
      [{ email: `support@${FROM_DOMAIN}` }, 400, /help desk's own addresses/],
    ];
    for (const [body, status, message] of cases) {
      const response = await add(ticketId, body);
      expect({ body, status: response.status }).toEqual({ body, status });
      expect(((await response.json()) as { message: string | string[] }).message.toString()).toMatch(message);
    }

    const mailbox = await gateway.call('/mailboxes', { token: admin.accessToken, body: { address: `help-${randomBytes(3).toString('hex')}@desk.test` } });
    expect(mailbox.status).toBe(201);
    const { address: mailboxAddress } = (await mailbox.json()) as { address: string };
    const plus = mailboxAddress.replace('@', '+anything@');
    for (const own of [mailboxAddress, plus]) expect((await add(ticketId, { email: own })).status).toBe(400);

    const departed = await gateway.addUser(admin.organization.id, 'customer');
    await gateway.ticket.dataSource.query('UPDATE helpdesk.users SET active = false WHERE id = $1', [departed.principal.userId]);
    const deactivated = await add(ticketId, { email: await userEmail(departed.principal.userId) });
    expect(deactivated.status).toBe(400);
    expect(await deactivated.text()).toMatch(/deactivated/);

    expect(await list(ticketId)).toHaveLength(1);
  });

  it(`keeps at most ${MAILBOX_LIMITS.ticketParticipants} participants on a ticket, and says so`, async () => {
    const ticketId = await newTicket();
    // The first 99 straight into the table (each through the API would only slow the test), then the API to the limit.
    const people = (await gateway.ticket.dataSource.query(
      `INSERT INTO helpdesk.users (organization_id, email, name, role)
       SELECT $1, 'filler-' || n || '-' || $2 || '@example.com', 'Filler', 'customer' FROM generate_series(1, $3::int) AS n RETURNING id`,
      [admin.organization.id, randomBytes(3).toString('hex'), MAILBOX_LIMITS.ticketParticipants - 1],
    )) as Array<{ id: string }>;
    await gateway.ticket.dataSource.query(
      `INSERT INTO helpdesk.ticket_participants (ticket_id, user_id, organization_id) SELECT $1, id, $2 FROM unnest($3::uuid[]) AS id`,
      [ticketId, admin.organization.id, people.map((person) => person.id)],
    );

    expect((await add(ticketId, { email: address('last') })).status).toBe(201);
    const over = await add(ticketId, { email: address('over') });

    expect(over.status).toBe(409);
    expect(((await over.json()) as { message: string }).message).toBe(`A ticket keeps at most ${MAILBOX_LIMITS.ticketParticipants} participants; remove one before adding another`);
    expect(await list(ticketId)).toHaveLength(MAILBOX_LIMITS.ticketParticipants);
  });

  it("answers 404 for another organization's ticket or someone who is not copied, and 400 for ids that are not UUIDs", async () => {
    const other = await gateway.signup('Other Desk');
    const otherCustomer = await gateway.addUser(other.organization.id, 'customer');
    const foreignTicket = await newTicket(otherCustomer.accessToken);
    const ticketId = await newTicket();

    expect((await gateway.call(`/tickets/${foreignTicket}/participants`, { token: agent.accessToken })).status).toBe(404);
    expect((await add(foreignTicket, { email: address() })).status).toBe(404);
    expect((await gateway.call(`/tickets/${foreignTicket}/participants/${customer.principal.userId}`, { method: 'DELETE', token: agent.accessToken })).status).toBe(404);
    expect((await gateway.call(`/tickets/${ticketId}/participants/${randomUUID()}`, { method: 'DELETE', token: agent.accessToken })).status).toBe(404);
    expect((await gateway.call(`/tickets/${ticketId}/participants/nope`, { method: 'DELETE', token: agent.accessToken })).status).toBe(400);
    // Another customer of the same organization does not see this ticket at all.
    const stranger = await gateway.addUser(admin.organization.id, 'customer');
    expect((await gateway.call(`/tickets/${ticketId}/participants`, { token: stranger.accessToken })).status).toBe(404);
    // Nothing was written to the other organization's ticket.
    expect(await list(foreignTicket, other.accessToken)).toEqual([]);
    // A cursor from this organization's ticket is only a position: the other ticket lists none of ours.
    for (const email of [address(), address()]) expect((await add(ticketId, { email })).status).toBe(201);
    const ourPage = await page(ticketId, agent.accessToken, '?limit=1');
    expect(await page(foreignTicket, other.accessToken, `?cursor=${ourPage.nextCursor}`)).toEqual({ items: [], nextCursor: null });
  });

  it('documents the three routes and their answers in OpenAPI', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/tickets/{id}/participants', 'get')).toEqual(expect.arrayContaining(['200', '404']));
    expect(answers('/api/v1/tickets/{id}/participants', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '404', '409']));
    expect(answers('/api/v1/tickets/{id}/participants/{userId}', 'delete')).toEqual(expect.arrayContaining(['204', '404']));
  });

  async function userEmail(userId: string): Promise<string> {
    const [row] = (await gateway.ticket.dataSource.query('SELECT email FROM helpdesk.users WHERE id = $1', [userId])) as Array<{ email: string }>;
    return row!.email;
  }
});
