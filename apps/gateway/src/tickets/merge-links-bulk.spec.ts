import type { BulkTicketResult, CommentView, Page, TicketHistoryEntry, TicketLinkView, TicketParticipantView, TicketView } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationHarness } from '../../../notification/src/testing/notification-harness.js';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Merge, links and bulk update (DESIGN section 14), through the public API on the real services. */
describe('merge, links and bulk update', () => {
  let gateway: GatewayHarness;
  let notification: NotificationHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let otherAdmin: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('merge-links-bulk');
    notification = await NotificationHarness.start('merge-links-bulk', {}, { ticket: gateway.ticket });
    admin = await gateway.signup('Merge Desk', { emailVerified: true });
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    otherAdmin = await gateway.signup('Other Desk', { emailVerified: true });
  });

  afterAll(async () => {
    await notification?.stop();
    await gateway?.stop();
  });

  async function open(caller: TestCaller = customer, subject = 'Printer jams'): Promise<TicketView> {
    const response = await gateway.call('/tickets', { token: caller.accessToken, body: { subject, description: `<p>${subject}, since Monday.</p>` } });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as TicketView;
  }
  async function json<T>(path: string, options: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: T }> {
    const response = await gateway.call(path, { token: agent.accessToken, ...options });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  const setStatus = (ticketId: string, status: string) => json<TicketView & { message?: string }>(`/tickets/${ticketId}`, { method: 'PATCH', body: { status } });
  const history = async (ticketId: string) => (await json<Page<TicketHistoryEntry>>(`/tickets/${ticketId}/events?limit=100`)).body.items;

  describe('merge', () => {
    it("moves the source's messages and files to the target, copies its requester there, closes it with a link, and mails its requester once", async () => {
      const otherCustomer = await gateway.addUser(admin.organization.id, 'customer');
      const target = await open(otherCustomer, 'Cannot print');
      const source = await open(customer, 'Printer jams');
      expect((await json(`/tickets/${source.id}/comments`, { method: 'POST', token: customer.accessToken, body: { body: 'It jams on page 2' } })).status).toBe(201);
      expect((await json(`/tickets/${source.id}/comments`, { method: 'POST', body: { body: 'Checking with facilities', internal: true } })).status).toBe(201);
      const form = new FormData();
      form.append('file', new Blob([PIXEL_PNG], { type: 'image/png' }), 'jam.png');
      const upload = await gateway.call(`/tickets/${source.id}/attachments`, { token: customer.accessToken, body: form });
      expect(upload.status, await upload.clone().text()).toBe(201);
      const attachment = (await upload.json()) as { id: string };
      await notification.settled();
      const customerEmail = await notification.emailOf(customer.principal.userId);
      const mailsBefore = notification.sink.mailsTo(customerEmail).length;

      const merged = await json<TicketView>(`/tickets/${source.id}/merge`, { method: 'POST', body: { targetId: target.id } });

      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({ id: target.id, version: target.version + 1 });
      const comments = (await json<Page<CommentView>>(`/tickets/${target.id}/comments`)).body.items;
      expect(comments.map((comment) => [comment.authorId, comment.body, comment.internal])).toEqual([
        [customer.principal.userId, '<p>Printer jams, since Monday.</p>', false],
        [customer.principal.userId, 'It jams on page 2', false],
        [agent.principal.userId, 'Checking with facilities', true],
      ]);
      expect(comments[0]!.createdAt).toBe(source.createdAt);
      expect((await json<Page<CommentView>>(`/tickets/${source.id}/comments`)).body.items).toEqual([]);
      const [moved] = (await gateway.ticket.dataSource.query('SELECT ticket_id FROM helpdesk.attachments WHERE id = $1', [attachment.id])) as Array<{ ticket_id: string }>;
      expect(moved!.ticket_id).toBe(target.id);
      expect((await json<Page<TicketParticipantView>>(`/tickets/${target.id}/participants`)).body.items.map((person) => person.userId)).toEqual([customer.principal.userId]);

      const closed = (await json<TicketView>(`/tickets/${source.id}`)).body;
      expect(closed.status).toBe('closed');
      expect((await json<Page<TicketLinkView>>(`/tickets/${source.id}/links`)).body).toEqual({
        items: [{ kind: 'merged_into', ticket: { id: target.id, number: target.number, subject: 'Cannot print', status: 'new' }, createdAt: expect.any(String) }],
        nextCursor: null,
      });
      expect((await json<Page<TicketLinkView>>(`/tickets/${target.id}/links`)).body).toMatchObject({ items: [{ kind: 'merged_from', ticket: { id: source.id, status: 'closed' } }], nextCursor: null });
      expect((await history(source.id)).map((entry) => entry.action)).toEqual(['created', 'commented', 'commented', 'attachment.added', 'updated', 'merged']);
      expect((await history(target.id)).at(-1)).toMatchObject({
        action: 'merged',
        actorId: agent.principal.userId,
        changes: { mergedFrom: { from: null, to: source.number }, comments: { from: null, to: 3 }, attachments: { from: null, to: 1 } },
      });
      const events = (await gateway.ticket.dataSource.query(`SELECT aggregate_id, type FROM helpdesk.outbox WHERE aggregate_id = ANY($1) AND type IN ('ticket.updated', 'ticket.merged') ORDER BY id`, [
        [source.id, target.id],
      ])) as Array<{ aggregate_id: string; type: string }>;
      expect(events.filter((event) => event.aggregate_id === target.id).map((event) => event.type)).toEqual(['ticket.updated']);
      expect(events.filter((event) => event.type === 'ticket.merged').map((event) => event.aggregate_id)).toEqual([source.id]);

      await notification.settled();
      const mails = notification.sink.mailsTo(customerEmail).slice(mailsBefore);
      expect(mails.map((mail) => mail.subject)).toEqual([`Merged: [#${source.number}] Printer jams`]);
      expect(mails[0]!.text).toContain(`merged into request #${target.number}`);
      expect(mails[0]!.text).not.toContain('Cannot print');
      const otherEmail = await notification.emailOf(otherCustomer.principal.userId);
      expect(notification.sink.mailsTo(otherEmail).filter((mail) => mail.subject.startsWith('Merged'))).toEqual([]);
    });

    it('refuses a merge into itself (422), of a merged source or into a closed or merged ticket (409), leaves both tickets as they were, and keeps a merged ticket closed', async () => {
      const target = await open();
      const source = await open();
      const closed = await open();
      expect((await setStatus(closed.id, 'closed')).status).toBe(200);

      const self = await json<{ message: string }>(`/tickets/${source.id}/merge`, { method: 'POST', body: { targetId: source.id } });
      expect(self).toMatchObject({ status: 422, body: { message: 'A ticket cannot be merged into itself' } });
      const intoClosed = await json<{ message: string }>(`/tickets/${source.id}/merge`, { method: 'POST', body: { targetId: closed.id } });
      expect(intoClosed).toMatchObject({ status: 409, body: { message: `Ticket #${closed.number} is closed: nothing can be merged into it` } });
      expect((await json<TicketView>(`/tickets/${source.id}`)).body).toMatchObject({ status: 'new', version: source.version });

      expect((await json(`/tickets/${source.id}/merge`, { method: 'POST', body: { targetId: target.id } })).status).toBe(200);
      const again = await json<{ message: string }>(`/tickets/${source.id}/merge`, { method: 'POST', body: { targetId: (await open()).id } });
      expect(again).toMatchObject({ status: 409, body: { message: `Ticket #${source.number} was already merged into #${target.number}` } });
      const intoMerged = await json<{ message: string }>(`/tickets/${(await open()).id}/merge`, { method: 'POST', body: { targetId: source.id } });
      expect(intoMerged.status).toBe(409);
      expect(intoMerged.body.message).toContain(`Ticket #${source.number}`);
      const reopened = await setStatus(source.id, 'open');
      expect(reopened).toMatchObject({ status: 409, body: { message: `Ticket #${source.number} was merged into #${target.number}: continue there` } });
    });

    it("answers 404 for another organization's ticket as either side, and 403 to a customer", async () => {
      const mine = await open();
      const theirs = await open(otherAdmin);
      expect((await json(`/tickets/${mine.id}/merge`, { method: 'POST', body: { targetId: theirs.id } })).status).toBe(404);
      expect((await json(`/tickets/${theirs.id}/merge`, { method: 'POST', body: { targetId: mine.id } })).status).toBe(404);
      expect((await json(`/tickets/${mine.id}/merge`, { method: 'POST', body: { targetId: randomUUID() } })).status).toBe(404);
      expect((await json(`/tickets/${mine.id}/merge`, { method: 'POST', token: customer.accessToken, body: { targetId: (await open()).id } })).status).toBe(403);
      expect((await json<TicketView>(`/tickets/${theirs.id}`, { token: otherAdmin.accessToken })).body.status).toBe('new');
    });

    it('merges exactly once when two merges of the same pair race in opposite directions', async () => {
      const first = await open();
      const second = await open();
      const outcomes = await Promise.all([
        json(`/tickets/${first.id}/merge`, { method: 'POST', body: { targetId: second.id } }),
        json(`/tickets/${second.id}/merge`, { method: 'POST', body: { targetId: first.id } }),
      ]);
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([200, 409]);
      const [{ count }] = (await gateway.ticket.dataSource.query(`SELECT count(*)::int AS count FROM helpdesk.ticket_links WHERE kind = 'merged_into' AND source_id = ANY($1)`, [
        [first.id, second.id],
      ])) as Array<{ count: number }>;
      expect(count).toBe(1);
    });
  });

  describe('links', () => {
    it('stores a link once and shows it from both sides: a parent on one side is a child on the other; removing it clears both', async () => {
      const parent = await open(customer, 'Outage');
      const child = await open(customer, 'Cannot log in');

      const added = await json<TicketLinkView>(`/tickets/${child.id}/links`, { method: 'POST', body: { targetId: parent.id, kind: 'parent' } });

      expect(added).toMatchObject({ status: 201, body: { kind: 'parent', ticket: { id: parent.id, number: parent.number, subject: 'Outage', status: 'new' } } });
      expect((await json<Page<TicketLinkView>>(`/tickets/${parent.id}/links`)).body).toMatchObject({ items: [{ kind: 'child', ticket: { id: child.id, subject: 'Cannot log in' } }], nextCursor: null });
      expect((await history(parent.id)).at(-1)).toMatchObject({ action: 'link.added', changes: { links: { from: null, to: { kind: 'child', ticket: child.number } } } });
      expect((await json(`/tickets/${parent.id}/links`, { method: 'POST', body: { targetId: child.id, kind: 'related' } })).status).toBe(409);

      expect((await json(`/tickets/${parent.id}/links/${child.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await json<Page<TicketLinkView>>(`/tickets/${child.id}/links`)).body).toEqual({ items: [], nextCursor: null });
      expect((await json<Page<TicketLinkView>>(`/tickets/${parent.id}/links`)).body).toEqual({ items: [], nextCursor: null });
      expect((await json(`/tickets/${parent.id}/links/${child.id}`, { method: 'DELETE' })).status).toBe(404);
    });

    it('pages the links with ?limit and ?cursor, oldest first, until nextCursor is null, and 400 naming a bad limit or cursor', async () => {
      const hub = await open(customer, 'Hub');
      const others = [await open(customer, 'First'), await open(customer, 'Second'), await open(customer, 'Third')];
      for (const other of others) expect((await json(`/tickets/${hub.id}/links`, { method: 'POST', body: { targetId: other.id, kind: 'related' } })).status).toBe(201);

      const page1 = (await json<Page<TicketLinkView>>(`/tickets/${hub.id}/links?limit=2`)).body;
      expect(page1.items.map((link) => link.ticket.subject)).toEqual(['First', 'Second']);
      expect(page1.nextCursor).toEqual(expect.any(String));
      const page2 = (await json<Page<TicketLinkView>>(`/tickets/${hub.id}/links?limit=2&cursor=${page1.nextCursor}`)).body;
      expect(page2).toEqual({ items: [expect.objectContaining({ kind: 'related', ticket: expect.objectContaining({ id: others[2]!.id }) })], nextCursor: null });

      const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
      for (const [query, named] of [[`cursor=${forged}`, 'cursor'], ['cursor=nonsense', 'cursor'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit']] as const) {
        const refused = await json<{ message: string | string[] }>(`/tickets/${hub.id}/links?${query}`);
        expect({ query, status: refused.status, message: [refused.body.message].flat().join('; ') }).toEqual({ query, status: 400, message: expect.stringContaining(named) });
      }

      // Another organization's ticket, given our cursor, lists only its own links.
      const [theirs, theirOther] = [await open(otherAdmin, 'Theirs'), await open(otherAdmin, 'Their other')];
      expect((await json(`/tickets/${theirs.id}/links`, { method: 'POST', body: { targetId: theirOther.id, kind: 'related' }, token: otherAdmin.accessToken })).status).toBe(201);
      const theirPage = (await json<Page<TicketLinkView>>(`/tickets/${theirs.id}/links?cursor=${page1.nextCursor}`, { token: otherAdmin.accessToken })).body;
      expect(theirPage.nextCursor).toBeNull();
      expect(theirPage.items.map((link) => link.ticket.id).filter((id) => others.some((other) => other.id === id))).toEqual([]);
      expect((await json(`/tickets/${hub.id}/links`, { token: otherAdmin.accessToken })).status).toBe(404);
    });

    it('refuses a link to itself and a parent/child cycle (422), and another organization\'s ticket (404)', async () => {
      const [a, b, c] = [await open(), await open(), await open()];
      expect((await json(`/tickets/${a.id}/links`, { method: 'POST', body: { targetId: a.id, kind: 'related' } })).status).toBe(422);
      expect((await json(`/tickets/${a.id}/links`, { method: 'POST', body: { targetId: b.id, kind: 'child' } })).status).toBe(201);
      expect((await json(`/tickets/${b.id}/links`, { method: 'POST', body: { targetId: c.id, kind: 'child' } })).status).toBe(201);

      const cycle = await json<{ message: string }>(`/tickets/${c.id}/links`, { method: 'POST', body: { targetId: a.id, kind: 'child' } });

      expect(cycle.status).toBe(422);
      expect(cycle.body.message).toContain('cycle');
      const theirs = await open(otherAdmin);
      expect((await json(`/tickets/${a.id}/links`, { method: 'POST', body: { targetId: theirs.id, kind: 'related' } })).status).toBe(404);
      expect((await json(`/tickets/${theirs.id}/links`)).status).toBe(404);
      expect((await json(`/tickets/${a.id}/links`, { token: customer.accessToken })).status).toBe(403);
    });

    it('never closes a cycle when the links that would close it are made at the same time', async () => {
      const [a, b, c] = [await open(), await open(), await open()];
      expect((await json(`/tickets/${a.id}/links`, { method: 'POST', body: { targetId: b.id, kind: 'child' } })).status).toBe(201);

      const outcomes = await Promise.all([
        json(`/tickets/${b.id}/links`, { method: 'POST', body: { targetId: c.id, kind: 'child' } }),
        json(`/tickets/${c.id}/links`, { method: 'POST', body: { targetId: a.id, kind: 'child' } }),
      ]);

      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([201, 422]);
    });

    it('refuses to solve or close a parent while a child is open, naming the child, and allows it once the child is solved', async () => {
      const parent = await open();
      const child = await open();
      expect((await json(`/tickets/${parent.id}/links`, { method: 'POST', body: { targetId: child.id, kind: 'child' } })).status).toBe(201);

      const refused = await setStatus(parent.id, 'solved');
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe(`Ticket #${parent.number} has open child tickets (#${child.number}): solve or close them first`);
      expect((await setStatus(parent.id, 'closed')).status).toBe(409);
      expect((await json<TicketView>(`/tickets/${parent.id}`)).body.status).toBe('new');

      expect((await setStatus(child.id, 'solved')).status).toBe(200);
      expect((await setStatus(parent.id, 'solved')).status).toBe(200);
    });
  });

  describe('bulk update', () => {
    it('changes each valid ticket through the single update and reports missing, foreign and conflicting ids one by one', async () => {
      const [first, second] = [await open(), await open()];
      const parent = await open();
      const openChild = await open();
      expect((await json(`/tickets/${parent.id}/links`, { method: 'POST', body: { targetId: openChild.id, kind: 'child' } })).status).toBe(201);
      const missing = randomUUID();
      const foreign = (await open(otherAdmin)).id;

      const response = await json<{ results: BulkTicketResult[] }>('/tickets', {
        method: 'PATCH',
        body: { ids: [first.id, missing, parent.id, foreign, second.id], changes: { status: 'solved', priority: 'high', assigneeId: agent.principal.userId, addTags: ['Billing'] } },
      });

      expect(response.status).toBe(200);
      expect(response.body.results.map(({ id, status }) => ({ id, status }))).toEqual([
        { id: first.id, status: 200 },
        { id: missing, status: 404 },
        { id: parent.id, status: 409 },
        { id: foreign, status: 404 },
        { id: second.id, status: 200 },
      ]);
      expect(response.body.results[0]!.ticket).toMatchObject({ status: 'solved', priority: 'high', assigneeId: agent.principal.userId, tags: ['billing'] });
      expect(response.body.results[2]!.message).toContain(`#${openChild.number}`);
      expect((await json<TicketView>(`/tickets/${parent.id}`)).body).toMatchObject({ status: 'new', priority: 'normal' });
      expect((await json<TicketView>(`/tickets/${foreign}`, { token: otherAdmin.accessToken })).body).toMatchObject({ status: 'new', priority: 'normal' });
      expect((await history(second.id)).at(-1)).toMatchObject({ action: 'updated', actorId: agent.principal.userId, changes: { status: { from: 'new', to: 'solved' } } });
      const events = (await gateway.ticket.dataSource.query(`SELECT type FROM helpdesk.outbox WHERE aggregate_id = $1 ORDER BY id`, [first.id])) as Array<{ type: string }>;
      expect(events.map((event) => event.type)).toEqual(['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.status_changed']);
    });

    it('solves a parent and its open child in one request, whatever their order, and removes tags', async () => {
      const parent = await open();
      const child = await open();
      expect((await json(`/tickets/${parent.id}/links`, { method: 'POST', body: { targetId: child.id, kind: 'child' } })).status).toBe(201);
      await json('/tickets', { method: 'PATCH', body: { ids: [parent.id, child.id], changes: { addTags: ['a', 'b'] } } });

      const response = await json<{ results: BulkTicketResult[] }>('/tickets', { method: 'PATCH', body: { ids: [parent.id, child.id], changes: { status: 'solved', removeTags: ['A'] } } });

      expect(response.body.results.map((result) => [result.status, result.ticket?.status, result.ticket?.tags])).toEqual([
        [200, 'solved', ['b']],
        [200, 'solved', ['b']],
      ]);
    });

    it('refuses more than 100 ids, repeated ids, no ids or no changes (400), and customers (403)', async () => {
      const ticket = await open();
      const tooMany = Array.from({ length: 101 }, () => randomUUID());
      expect((await json('/tickets', { method: 'PATCH', body: { ids: tooMany, changes: { status: 'open' } } })).status).toBe(400);
      expect((await json('/tickets', { method: 'PATCH', body: { ids: [ticket.id, ticket.id], changes: { status: 'open' } } })).status).toBe(400);
      expect((await json('/tickets', { method: 'PATCH', body: { ids: [], changes: { status: 'open' } } })).status).toBe(400);
      const empty = await json<{ message: string }>('/tickets', { method: 'PATCH', body: { ids: [ticket.id], changes: {} } });
      expect(empty.status).toBe(400);
      expect(empty.body.message).toContain('changes must name at least one of');
      expect((await json('/tickets', { method: 'PATCH', token: customer.accessToken, body: { ids: [ticket.id], changes: { status: 'open' } } })).status).toBe(403);
    });

    it('changes 100 tickets in one request', async () => {
      const busy = await gateway.signup('Busy Bulk Desk', { emailVerified: true });
      const ids = (await Promise.all(Array.from({ length: 100 }, () => open(busy, 'Bulk')))).map((ticket) => ticket.id);
      const started = performance.now();

      const response = await json<{ results: BulkTicketResult[] }>('/tickets', { method: 'PATCH', token: busy.accessToken, body: { ids, changes: { priority: 'urgent' } } });

      const elapsed = performance.now() - started;
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.results.filter((result) => result.status === 200)).toHaveLength(100);
      console.info(`bulk update of 100 tickets: ${elapsed.toFixed(0)} ms`);
    });
  });

  it('documents the new routes, their refusals and the bulk body in the OpenAPI document', async () => {
    type Operation = { responses?: Record<string, unknown>; requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } };
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties?: Record<string, { maxItems?: number; minItems?: number }> }> };
    };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/tickets/{id}/merge', 'post')).toEqual(expect.arrayContaining(['200', '404', '409', '422']));
    expect(answers('/api/v1/tickets/{id}/links', 'post')).toEqual(expect.arrayContaining(['201', '404', '409', '422']));
    expect(answers('/api/v1/tickets/{id}/links', 'get')).toEqual(expect.arrayContaining(['200', '404']));
    expect(answers('/api/v1/tickets/{id}/links/{targetId}', 'delete')).toEqual(expect.arrayContaining(['204', '404']));
    expect(answers('/api/v1/tickets', 'patch')).toEqual(expect.arrayContaining(['200', '400']));
    const bulkSchema = document.paths['/api/v1/tickets']!.patch!.requestBody!.content!['application/json']!.schema!.$ref!.split('/').at(-1)!;
    expect(document.components.schemas[bulkSchema]!.properties!.ids).toMatchObject({ minItems: 1, maxItems: 100 });
  });
});
