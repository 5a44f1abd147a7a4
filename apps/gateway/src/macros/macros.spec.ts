import type { CannedResponseView, CommentView, MacroPreview, MacroView, Page, TicketHistoryEntry, TicketView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/** /macros, /canned-responses and POST /tickets/:id/macros/:macroId through the real gateway and ticket service (DESIGN section 14). */
describe('macros and canned responses', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let other: SignedUpAdmin;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('macros');
    admin = await gateway.signup('Macro Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    other = await gateway.signup('Other Desk');
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.users SET name = 'Alex Agent' WHERE id = $1`, [agent.principal.userId]);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  const unique = (name: string) => `${name} ${randomBytes(3).toString('hex')}`;
  async function json<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const createMacro = (body: object, token = admin.accessToken) => gateway.call('/macros', { token, body });
  const newMacro = async (body: object) => json<MacroView>(await createMacro({ name: unique('Macro'), ...body }), 201);
  async function newTicket(token = customer.accessToken): Promise<TicketView> {
    return json<TicketView>(await gateway.call('/tickets', { token, body: { subject: 'Printer <b>on fire</b>', description: '<p>Help</p>' } }), 201);
  }
  const apply = (ticketId: string, macroId: string, options: { token?: string; preview?: boolean; headers?: Record<string, string> } = {}) =>
    gateway.call(`/tickets/${ticketId}/macros/${macroId}${options.preview ? '?preview=true' : ''}`, { method: 'POST', token: options.token ?? agent.accessToken, headers: options.headers });
  const history = async (ticketId: string) => (await json<Page<TicketHistoryEntry>>(await gateway.call(`/tickets/${ticketId}/events`, { token: admin.accessToken }), 200)).items;
  const comments = async (ticketId: string) => (await json<Page<CommentView>>(await gateway.call(`/tickets/${ticketId}/comments`, { token: admin.accessToken }), 200)).items;
  const outbox = async (ticketId: string) =>
    (await gateway.ticket.dataSource.query(`SELECT type, envelope FROM helpdesk.outbox WHERE aggregate_id = $1 ORDER BY created_at, id`, [ticketId])) as Array<{
      type: string;
      envelope: { data: Record<string, unknown> };
    }>;
  async function newTeam(members: string[]): Promise<string> {
    const team = await json<{ id: string }>(await gateway.call('/teams', { token: admin.accessToken, body: { name: unique('Team') } }), 201);
    await json(await gateway.call(`/teams/${team.id}/members`, { method: 'PUT', token: admin.accessToken, body: { memberIds: members } }), 200);
    return team.id;
  }

  it('lets an admin create, list, read, change and delete a macro; agents read it; customers get 403', async () => {
    const name = unique('Escalate');
    const actions = [
      { type: 'set', field: 'priority', value: 'urgent' },
      { type: 'addTags', value: ['Escalated'] },
      { type: 'comment', body: '<p>Escalated for {{ requester.name }}<script>alert(1)</script></p>', internal: true },
    ];
    const created = await json<MacroView>(await createMacro({ name: `${name} <i>now</i>`, actions }), 201);
    expect(created).toMatchObject({
      name: `${name} now`,
      teamId: null,
      actions: [actions[0], { type: 'addTags', value: ['escalated'] }, { type: 'comment', body: '<p>Escalated for {{ requester.name }}</p>', internal: true }],
    });

    const list = await json<Page<MacroView>>(await gateway.call('/macros?limit=100', { token: agent.accessToken }), 200);
    expect(list.items).toContainEqual(created);
    expect(list.nextCursor).toBeNull();
    expect(await json(await gateway.call(`/macros/${created.id}`, { token: agent.accessToken }), 200)).toEqual(created);

    const renamed = await json<MacroView>(await gateway.call(`/macros/${created.id}`, { method: 'PATCH', token: admin.accessToken, body: { name: `${name} 2`, actions: [{ type: 'set', field: 'status', value: 'pending' }] } }), 200);
    expect(renamed).toMatchObject({ id: created.id, name: `${name} 2`, actions: [{ type: 'set', field: 'status', value: 'pending' }] });

    expect((await createMacro({ name: `${name} 2`.toUpperCase(), actions })).status).toBe(409);
    expect((await createMacro({ name: unique('Agent-made'), actions }, agent.accessToken)).status).toBe(403);
    expect((await gateway.call(`/macros/${created.id}`, { method: 'DELETE', token: agent.accessToken })).status).toBe(403);
    expect((await gateway.call('/macros', { token: customer.accessToken })).status).toBe(403);
    expect((await gateway.call(`/macros/${created.id}`, { token: customer.accessToken })).status).toBe(403);

    expect(await json(await gateway.call(`/macros/${created.id}`, { method: 'DELETE', token: admin.accessToken }), 200)).toEqual({ deleted: true });
    expect((await gateway.call(`/macros/${created.id}`, { token: admin.accessToken })).status).toBe(404);
  });

  it('pages the macro list by name with nextCursor', async () => {
    const prefix = `Paged ${randomBytes(3).toString('hex')}`;
    for (const letter of ['c', 'a', 'b']) await newMacro({ name: `${prefix} ${letter}`, actions: [{ type: 'addTags', value: ['paged'] }] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<MacroView> = await json(await gateway.call(`/macros?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.accessToken }), 200);
      seen.push(...page.items.map((macro) => macro.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.filter((name) => name.startsWith(prefix))).toEqual([`${prefix} a`, `${prefix} b`, `${prefix} c`]);
    expect((await gateway.call('/macros?cursor=nonsense', { token: admin.accessToken })).status).toBe(400);
  });

  it('refuses malformed actions with 400, naming the action and the problem, and saves nothing', async () => {
    const foreignTeam = await json<{ id: string }>(await gateway.call('/teams', { token: other.accessToken, body: { name: unique('Theirs') } }), 201);
    const foreignAgent = await gateway.addUser(other.organization.id, 'agent');
    const cases: Array<[unknown[], RegExp]> = [
      [[], /at least one action/],
      [[{ type: 'explode' }], /actions\[0\]: type must be one of set, addTags, removeTags, comment/],
      [[{ type: 'set', field: 'subject', value: 'x' }], /actions\[0\]: field must be one of status, priority, assigneeId, teamId, tags, or fields\.<key>/],
      [[{ type: 'set', field: 'status', value: 'done' }], /actions\[0\]: status must be one of new, open, pending, on_hold, solved, closed/],
      [[{ type: 'set', field: 'priority', value: 'meh' }], /priority must be one of/],
      [[{ type: 'set', field: 'status', value: 'open', colour: 'red' }], /actions\[0\]: unknown property colour/],
      [[{ type: 'addTags', value: ['a'] }, { type: 'set', field: 'assigneeId', value: customer.principal.userId }], /actions\[1\]: assigneeId must be an active agent or admin of this organization/],
      [[{ type: 'set', field: 'assigneeId', value: foreignAgent.principal.userId }], /assigneeId must be an active agent or admin of this organization/],
      [[{ type: 'set', field: 'teamId', value: foreignTeam.id }], /actions\[0\]: teamId must be a team of this organization/],
      [[{ type: 'set', field: 'fields.plan', value: 'gold' }], /actions\[0\]: fields\.plan is not a custom field of this organization/],
      [[{ type: 'set', field: 'fields.Bad Key', value: 'x' }], /actions\[0\]: fields\.Bad Key is not a custom field key/],
      [[{ type: 'set', field: 'fields.plan', value: { nested: true } }], /actions\[0\]: fields\.plan needs a text, number/],
      [[{ type: 'comment', body: '<p>Hi {{customer.secret}}</p>' }], /actions\[0\]\.body uses unknown placeholder \{\{customer\.secret\}\}/],
      [[{ type: 'comment', body: '<p>a</p>' }, { type: 'comment', body: '<p>b</p>' }], /at most one comment/],
      [[{ type: 'comment', body: '<p>a</p>', internal: 'yes' }], /internal must be true/],
      [[{ type: 'notify', to: 'assignee' }], /belong to triggers and automations/],
      [[{ type: 'set', field: 'status', value: 'open' }, { type: 'set', field: 'status', value: 'solved' }], /status is already set/],
      [['set'], /each action must be an object/],
    ];
    const name = unique('Refused');
    for (const [actions, message] of cases) {
      const response = await createMacro({ name, actions });
      const body = (await response.json()) as { message: string | string[] };
      expect({ actions, status: response.status }).toEqual({ actions, status: 400 });
      expect(body.message.toString()).toMatch(message);
    }
    expect((await createMacro({ name, actions: [{ type: 'addTags', value: ['ok'] }], teamId: foreignTeam.id })).status).toBe(400);
    const [count] = (await gateway.ticket.dataSource.query(`SELECT count(*)::int AS n FROM helpdesk.macros WHERE name = $1`, [name])) as Array<{ n: number }>;
    expect(count!.n).toBe(0);
  });

  it('applies a macro as one audited change: comment with escaped placeholders, field changes, events for realtime and mail', async () => {
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.users SET name = $2 WHERE id = $1`, [customer.principal.userId, `Rob <script>alert('x')</script> & "Co"`]);
    const macro = await newMacro({
      actions: [
        { type: 'comment', body: '<p>Hello {{requester.name}}, ticket #{{ticket.number}} ({{ticket.subject}}) is with {{agent.name}}.</p>', internal: false },
        { type: 'set', field: 'status', value: 'pending' },
        { type: 'set', field: 'priority', value: 'high' },
        { type: 'set', field: 'assigneeId', value: agent.principal.userId },
        { type: 'addTags', value: ['Billing', 'vip'] },
        { type: 'removeTags', value: ['vip'] },
      ],
    });
    const ticket = await newTicket();

    const applied = await json<TicketView>(await apply(ticket.id, macro.id), 200);

    expect(applied).toMatchObject({ id: ticket.id, status: 'pending', priority: 'high', assigneeId: agent.principal.userId, tags: ['billing'] });
    expect(applied.firstRespondedAt).not.toBeNull();
    const [comment, ...more] = await comments(ticket.id);
    expect(more).toEqual([]);
    expect(comment).toMatchObject({ authorId: agent.principal.userId, internal: false });
    expect(comment!.body).toBe(`<p>Hello Rob &lt;script&gt;alert('x')&lt;/script&gt; &amp; "Co", ticket #${ticket.number} (Printer on fire) is with Alex Agent.</p>`);
    expect(comment!.body).not.toContain('<script');

    const entries = await history(ticket.id);
    expect(entries.map((entry) => entry.action)).toEqual(['created', 'macro.applied']);
    expect(entries[1]).toMatchObject({
      actorId: agent.principal.userId,
      changes: {
        macro: { from: null, to: { id: macro.id, name: macro.name } },
        comment: { from: null, to: { id: comment!.id, internal: false } },
        status: { from: 'new', to: 'pending' },
        priority: { from: 'normal', to: 'high' },
        assigneeId: { from: null, to: agent.principal.userId },
        tags: { from: [], to: ['billing'] },
      },
    });

    const events = await outbox(ticket.id);
    expect(events.map((event) => event.type)).toEqual(['ticket.created', 'comment.created', 'ticket.status_changed', 'ticket.updated', 'ticket.assigned', 'ticket.status_changed']);
    const updated = events.find((event) => event.type === 'ticket.updated')!;
    expect(updated.envelope.data).toMatchObject({ macro: { id: macro.id, name: macro.name }, changes: { status: { from: 'open', to: 'pending' }, priority: { from: 'normal', to: 'high' } } });
    expect(events.find((event) => event.type === 'comment.created')!.envelope.data).toMatchObject({ comment: { id: comment!.id, internal: false }, authorRole: 'agent', macro: { id: macro.id } });
    // The relay publishes them to JetStream as for any manual edit (realtime and notification consume the stream).
    await waitFor('the macro events in the stream', async () => {
      const stored = await gateway.ticket.storedEvents();
      return stored.filter((event) => event.envelope.aggregateId === ticket.id).length === events.length || undefined;
    });
  });

  it('sets and clears custom fields: checked against the definitions on save, applied like an edit (history, events, required-to-solve), previewed', async () => {
    const field = async (body: object) => json<{ id: string; key: string }>(await gateway.call('/ticket-fields', { token: admin.accessToken, body }), 201);
    const archive = async (id: string) => json(await gateway.call(`/ticket-fields/${id}`, { method: 'DELETE', token: admin.accessToken }), 200);
    const suffix = randomBytes(2).toString('hex');
    const plan = await field({ key: `plan_${suffix}`, label: 'Plan', type: 'dropdown', options: ['free', 'gold'] });
    const seats = await field({ key: `seats_${suffix}`, label: 'Seats', type: 'number' });
    const cause = await field({ key: `cause_${suffix}`, label: 'Root cause', type: 'text', requiredToSolve: true });
    const old = await field({ key: `old_${suffix}`, label: 'Old', type: 'checkbox' });
    await archive(old.id);
    // The required-to-solve field would block the other tests' solving macros: archived whatever happens.
    try {
      const theirField = await json<{ key: string }>(await gateway.call('/ticket-fields', { token: other.accessToken, body: { key: `theirs_${suffix}`, label: 'Theirs', type: 'text' } }), 201);

      const refusals: Array<[unknown[], RegExp]> = [
        [[{ type: 'set', field: `fields.${plan.key}`, value: 'platinum' }], new RegExp(`actions\\[0\\]: fields\\.${plan.key} must be one of its options: free, gold`)],
        [[{ type: 'addTags', value: ['x'] }, { type: 'set', field: `fields.${seats.key}`, value: 'ten' }], new RegExp(`actions\\[1\\]: fields\\.${seats.key} must be a number`)],
        [[{ type: 'set', field: `fields.${old.key}`, value: true }], new RegExp(`actions\\[0\\]: fields\\.${old.key} is archived`)],
        [[{ type: 'set', field: `fields.${theirField.key}`, value: 'x' }], new RegExp(`actions\\[0\\]: fields\\.${theirField.key} is not a custom field of this organization`)],
        [[{ type: 'set', field: `fields.${plan.key}`, value: 'gold' }, { type: 'set', field: `fields.${plan.key}`, value: null }], new RegExp(`actions\\[1\\]: fields\\.${plan.key} is already set`)],
      ];
      for (const [actions, message] of refusals) {
        const response = await createMacro({ name: unique('Bad field'), actions });
        expect({ actions, status: response.status }).toEqual({ actions, status: 400 });
        expect(((await response.json()) as { message: string }).message.toString()).toMatch(message);
      }

      const macro = await newMacro({ actions: [{ type: 'set', field: `fields.${plan.key}`, value: 'gold' }, { type: 'set', field: `fields.${seats.key}`, value: 12 }] });
      expect(macro.actions).toEqual([{ type: 'set', field: `fields.${plan.key}`, value: 'gold' }, { type: 'set', field: `fields.${seats.key}`, value: 12 }]);
      const ticket = await newTicket();

      const preview = await json<MacroPreview>(await apply(ticket.id, macro.id, { preview: true }), 200);
      expect(preview.ticket.fields).toEqual({ [plan.key]: 'gold', [seats.key]: 12 });
      expect((await json<TicketView>(await gateway.call(`/tickets/${ticket.id}`, { token: admin.accessToken }), 200)).fields).toEqual({});

      const applied = await json<TicketView>(await apply(ticket.id, macro.id), 200);
      expect(applied.fields).toEqual({ [plan.key]: 'gold', [seats.key]: 12 });
      const entries = await history(ticket.id);
      expect(entries.at(-1)).toMatchObject({
        action: 'macro.applied',
        changes: { macro: { to: { id: macro.id } }, [`fields.${plan.key}`]: { from: null, to: 'gold' }, [`fields.${seats.key}`]: { from: null, to: 12 } },
      });
      const updated = (await outbox(ticket.id)).filter((event) => event.type === 'ticket.updated').at(-1)!;
      expect(updated.envelope.data).toMatchObject({ macro: { id: macro.id }, changes: { fields: { [plan.key]: { from: null, to: 'gold' } } } });

      // null clears; solving through a macro still needs the required field, and succeeds once the macro gives it.
      const clearing = await newMacro({ actions: [{ type: 'set', field: `fields.${seats.key}`, value: null }, { type: 'set', field: 'status', value: 'solved' }] });
      const refused = await apply(ticket.id, clearing.id);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(new RegExp(`needs a value for: Root cause \\(fields\\.${cause.key}\\)`));
      expect((await json<TicketView>(await gateway.call(`/tickets/${ticket.id}`, { token: admin.accessToken }), 200)).fields).toEqual({ [plan.key]: 'gold', [seats.key]: 12 });
      const updatedClearing = await json<MacroView>(
        await gateway.call(`/macros/${clearing.id}`, { method: 'PATCH', token: admin.accessToken, body: { actions: [...clearing.actions, { type: 'set', field: `fields.${cause.key}`, value: '<b>Fan</b> failure' }] } }),
        200,
      );
      expect(updatedClearing.actions.at(-1)).toEqual({ type: 'set', field: `fields.${cause.key}`, value: 'Fan failure' });
      const solved = await json<TicketView>(await apply(ticket.id, clearing.id), 200);
      expect(solved).toMatchObject({ status: 'solved', fields: { [plan.key]: 'gold', [cause.key]: 'Fan failure' } });
      expect((await history(ticket.id)).at(-1)!.changes).toMatchObject({ [`fields.${seats.key}`]: { from: 12, to: null }, [`fields.${cause.key}`]: { from: null, to: 'Fan failure' }, status: { to: 'solved' } });
    } finally {
      await archive(cause.id);
    }
  });

  it('previews a macro without saving anything: the ticket and comment as they would be', async () => {
    const macro = await newMacro({ actions: [{ type: 'set', field: 'status', value: 'solved' }, { type: 'comment', body: '<p>Solved for {{requester.name}}</p>', internal: true }] });
    const ticket = await newTicket();
    const before = { ticket: await json<TicketView>(await gateway.call(`/tickets/${ticket.id}`, { token: admin.accessToken }), 200), history: await history(ticket.id), outbox: await outbox(ticket.id) };

    const preview = await json<MacroPreview>(await apply(ticket.id, macro.id, { preview: true }), 200);

    expect(preview.ticket).toMatchObject({ id: ticket.id, status: 'solved' });
    expect(preview.comments).toEqual([expect.objectContaining({ internal: true, authorId: agent.principal.userId, body: expect.stringMatching(/^<p>Solved for Rob &lt;script&gt;/) })]);
    expect(await json(await gateway.call(`/tickets/${ticket.id}`, { token: admin.accessToken }), 200)).toEqual(before.ticket);
    expect(await comments(ticket.id)).toEqual([]);
    expect(await history(ticket.id)).toEqual(before.history);
    expect(await outbox(ticket.id)).toEqual(before.outbox);
  });

  it('honours If-Match like other ticket updates, and refuses a comment on a closed ticket without changing it', async () => {
    const macro = await newMacro({ actions: [{ type: 'set', field: 'priority', value: 'low' }] });
    const ticket = await newTicket();
    const stale = await apply(ticket.id, macro.id, { headers: { 'if-match': `"${ticket.version + 5}"` } });
    expect(stale.status).toBe(409);
    const fresh = await apply(ticket.id, macro.id, { headers: { 'if-match': `"${ticket.version}"` } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe(`"${((await fresh.json()) as TicketView).version}"`);

    const closed = await newTicket();
    await json(await gateway.call(`/tickets/${closed.id}`, { method: 'PATCH', token: admin.accessToken, body: { status: 'closed' } }), 200);
    const replying = await newMacro({ actions: [{ type: 'set', field: 'priority', value: 'urgent' }, { type: 'comment', body: '<p>Hi</p>' }] });
    const refused = await apply(closed.id, replying.id);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toMatch(/Closed tickets accept no comments/);
    expect((await json<TicketView>(await gateway.call(`/tickets/${closed.id}`, { token: admin.accessToken }), 200)).priority).toBe('normal');
    expect((await apply(closed.id, replying.id, { token: customer.accessToken })).status).toBe(403);
  });

  it("shows a team's macros and canned responses to its members and admins only", async () => {
    const outsider = await gateway.addUser(admin.organization.id, 'agent');
    const teamId = await newTeam([agent.principal.userId]);
    const macro = await newMacro({ teamId, actions: [{ type: 'addTags', value: ['team-only'] }] });
    const canned = await json<CannedResponseView>(await gateway.call('/canned-responses', { token: admin.accessToken, body: { name: unique('Team reply'), body: '<p>Team text</p>', teamId } }), 201);
    const ticket = await newTicket();

    const listed = async (path: string, caller: TestCaller | SignedUpAdmin) => (await json<Page<{ id: string }>>(await gateway.call(`${path}?limit=100`, { token: caller.accessToken }), 200)).items.map((item) => item.id);
    expect(await listed('/macros', agent)).toContain(macro.id);
    expect(await listed('/macros', admin)).toContain(macro.id);
    expect(await listed('/macros', outsider)).not.toContain(macro.id);
    expect(await listed('/canned-responses', agent)).toContain(canned.id);
    expect(await listed('/canned-responses', outsider)).not.toContain(canned.id);
    expect((await gateway.call(`/macros/${macro.id}`, { token: outsider.accessToken })).status).toBe(404);
    expect((await apply(ticket.id, macro.id, { token: outsider.accessToken })).status).toBe(404);
    expect((await gateway.call(`/tickets/${ticket.id}/canned-responses/${canned.id}`, { token: outsider.accessToken })).status).toBe(404);
    expect((await json<TicketView>(await apply(ticket.id, macro.id), 200)).tags).toEqual(['team-only']);
  });

  it("answers 404 for another organization's macros and tickets, and never acts on them", async () => {
    const ours = await newMacro({ actions: [{ type: 'set', field: 'priority', value: 'urgent' }] });
    const theirs = await json<MacroView>(await gateway.call('/macros', { token: other.accessToken, body: { name: unique('Theirs'), actions: [{ type: 'set', field: 'priority', value: 'urgent' }] } }), 201);
    const theirCanned = await json<CannedResponseView>(await gateway.call('/canned-responses', { token: other.accessToken, body: { name: unique('Theirs'), body: '<p>x</p>' } }), 201);
    const ourTicket = await newTicket();
    const otherCustomer = await gateway.addUser(other.organization.id, 'customer');
    const theirTicket = await newTicket(otherCustomer.accessToken);

    expect((await gateway.call(`/macros/${theirs.id}`, { token: admin.accessToken })).status).toBe(404);
    expect((await gateway.call(`/macros/${theirs.id}`, { method: 'PATCH', token: admin.accessToken, body: { name: 'Mine now' } })).status).toBe(404);
    expect((await gateway.call(`/macros/${theirs.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(404);
    expect((await apply(ourTicket.id, theirs.id)).status).toBe(404);
    expect((await apply(ourTicket.id, theirs.id, { preview: true })).status).toBe(404);
    expect((await apply(theirTicket.id, ours.id)).status).toBe(404);
    expect((await gateway.call(`/canned-responses/${theirCanned.id}`, { token: admin.accessToken })).status).toBe(404);
    expect((await gateway.call(`/canned-responses/${theirCanned.id}`, { method: 'DELETE', token: admin.accessToken })).status).toBe(404);
    expect((await gateway.call(`/tickets/${ourTicket.id}/canned-responses/${theirCanned.id}`, { token: agent.accessToken })).status).toBe(404);
    expect((await apply(ourTicket.id, randomUUID())).status).toBe(404);
    expect((await apply(ourTicket.id, 'nope')).status).toBe(400);
    expect((await json<Page<MacroView>>(await gateway.call('/macros?limit=100', { token: admin.accessToken }), 200)).items.map((macro) => macro.id)).not.toContain(theirs.id);

    expect((await json<TicketView>(await gateway.call(`/tickets/${ourTicket.id}`, { token: admin.accessToken }), 200)).priority).toBe('normal');
    expect((await json<TicketView>(await gateway.call(`/tickets/${theirTicket.id}`, { token: other.accessToken }), 200)).priority).toBe('normal');
    expect((await history(ourTicket.id)).map((entry) => entry.action)).toEqual(['created']);
    expect(await json(await gateway.call(`/macros/${theirs.id}`, { token: other.accessToken }), 200)).toEqual(theirs);
  });

  it('keeps canned responses: CRUD, search by name and body, placeholders refused when unknown and escaped when rendered', async () => {
    const marker = randomBytes(3).toString('hex');
    const refund = await json<CannedResponseView>(
      await gateway.call('/canned-responses', { token: admin.accessToken, body: { name: `Refund ${marker}`, body: '<p>Dear {{requester.name}}, your refund for #{{ticket.number}} is on its way. {{agent.name}}</p>' } }),
      201,
    );
    const shipping = await json<CannedResponseView>(await gateway.call('/canned-responses', { token: admin.accessToken, body: { name: `Shipping ${marker}`, body: `<p>Parcel 100%_${marker} left</p>` } }), 201);

    const search = async (q: string) => (await json<Page<CannedResponseView>>(await gateway.call(`/canned-responses?q=${encodeURIComponent(q)}`, { token: agent.accessToken }), 200)).items.map((item) => item.id);
    expect(await search(`refund ${marker}`)).toEqual([refund.id]);
    expect(await search(`100%_${marker}`)).toEqual([shipping.id]);
    expect(await search(marker)).toEqual([refund.id, shipping.id]);
    expect(await search(`%${marker}x`)).toEqual([]);

    const unknown = await gateway.call('/canned-responses', { token: admin.accessToken, body: { name: unique('Bad'), body: '<p>{{ticket.secret}}</p>' } });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/body uses unknown placeholder \{\{ticket\.secret\}\}/);
    expect((await gateway.call('/canned-responses', { token: agent.accessToken, body: { name: unique('Agent'), body: '<p>x</p>' } })).status).toBe(403);
    expect((await gateway.call('/canned-responses', { token: customer.accessToken })).status).toBe(403);

    const ticket = await newTicket();
    const rendered = await json<{ body: string }>(await gateway.call(`/tickets/${ticket.id}/canned-responses/${refund.id}`, { token: agent.accessToken }), 200);
    expect(rendered.body).toBe(`<p>Dear Rob &lt;script&gt;alert('x')&lt;/script&gt; &amp; "Co", your refund for #${ticket.number} is on its way. Alex Agent</p>`);
    expect((await gateway.call(`/tickets/${ticket.id}/canned-responses/${refund.id}`, { token: customer.accessToken })).status).toBe(403);

    const changed = await json<CannedResponseView>(await gateway.call(`/canned-responses/${refund.id}`, { method: 'PATCH', token: admin.accessToken, body: { body: '<p>Refunded</p>' } }), 200);
    expect(changed).toMatchObject({ id: refund.id, name: `Refund ${marker}`, body: '<p>Refunded</p>' });
    expect(await json(await gateway.call(`/canned-responses/${refund.id}`, { method: 'DELETE', token: admin.accessToken }), 200)).toEqual({ deleted: true });
    expect(await search(marker)).toEqual([shipping.id]);
  });

  it('answers malformed queries, bodies and cursors with 400, never a 500', async () => {
    const forged = Buffer.from(JSON.stringify([5, 'not-a-uuid'])).toString('base64url');
    const macro = await newMacro({ actions: [{ type: 'addTags', value: ['x'] }] });
    const ticket = await newTicket();
    const cases: Array<[string, { method?: string; body?: unknown }]> = [
      [`/macros?cursor=${forged}`, {}],
      [`/canned-responses?cursor=${forged}`, {}],
      ['/macros?limit=0', {}],
      [`/canned-responses?q=${'x'.repeat(201)}`, {}],
      [`/tickets/${ticket.id}/macros/${macro.id}?preview=maybe`, { method: 'POST' }],
      ['/macros', { body: { name: 'No actions', actions: 'set status' } }],
      ['/macros', { body: { name: '', actions: [{ type: 'addTags', value: ['x'] }] } }],
      ['/macros', { body: { name: 'Bad team', actions: [{ type: 'addTags', value: ['x'] }], teamId: 'team-1' } }],
      [`/macros/${macro.id}`, { method: 'PATCH', body: { name: 5 } }],
      ['/canned-responses', { body: { name: 'No body' } }],
      [`/canned-responses/${macro.id}`, { method: 'PATCH', body: { body: '' } }],
    ];
    for (const [path, options] of cases) {
      const response = await gateway.call(path, { token: admin.accessToken, ...options });
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
    }
  });

  it('documents the routes and their answers in OpenAPI', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/macros', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '409']));
    expect(answers('/api/v1/tickets/{id}/macros/{macroId}', 'post')).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(answers('/api/v1/canned-responses', 'get')).toEqual(expect.arrayContaining(['200']));
    expect(answers('/api/v1/tickets/{id}/canned-responses/{cannedResponseId}', 'get')).toEqual(expect.arrayContaining(['200', '404']));
  });
});
