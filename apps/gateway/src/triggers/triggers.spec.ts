import type { CommentView, EventEnvelope, Page, TicketHistoryEntry, TicketView, TriggerView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlaEnforcer } from '../../../ticket/src/sla/sla-enforcer.js';
import { AssignmentService } from '../../../ticket/src/assignment/assignment.service.js';
import { TriggerEngine } from '../../../ticket/src/triggers/trigger-engine.js';
import { GatewayHarness, type SignedUpAdmin, type TestCaller } from '../testing/gateway-harness.js';

/**
 * /triggers through the real gateway and ticket service, and the trigger engine on the real
 * JetStream events stream (DESIGN section 14): every event and action type, chains and loops, at
 * most once per event across two replicas and redeliveries, failure isolation, organizations apart.
 */
describe('triggers', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let agent: TestCaller;
  let customer: TestCaller;
  let other: SignedUpAdmin;
  let customerEmail: string;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('triggers');
    await gateway.ticket.service.app.get(TriggerEngine).ready;
    admin = await gateway.signup('Trigger Desk');
    agent = await gateway.addUser(admin.organization.id, 'agent');
    customer = await gateway.addUser(admin.organization.id, 'customer');
    other = await gateway.signup('Other Desk');
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.users SET name = 'Rita Requester' WHERE id = $1`, [customer.principal.userId]);
    [{ email: customerEmail }] = (await gateway.ticket.dataSource.query(`SELECT email FROM helpdesk.users WHERE id = $1`, [customer.principal.userId])) as [{ email: string }];
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  // Each test's triggers carry a tag of their own in their conditions, so the tests do not fire each other's triggers.
  const unique = (name: string) => `${name} ${randomBytes(3).toString('hex')}`;
  const marker = () => `t${randomBytes(3).toString('hex')}`;
  async function json<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const createTrigger = (body: object, token = admin.accessToken) => gateway.call('/triggers', { token, body });
  const newTrigger = async (body: object, token = admin.accessToken) => json<TriggerView>(await createTrigger({ name: unique('Trigger'), all: [], ...body }, token), 201);
  async function newTicket(body: object = {}, token = agent.accessToken): Promise<TicketView> {
    return json<TicketView>(await gateway.call('/tickets', { token, body: { subject: 'Printer on fire', description: '<p>Help</p>', ...(token === customer.accessToken ? {} : { requesterEmail: customerEmail }), ...body } }), 201);
  }
  const ticket = async (id: string, token = admin.accessToken) => json<TicketView>(await gateway.call(`/tickets/${id}`, { token }), 200);
  const update = async (id: string, changes: object, token = agent.accessToken) => json<TicketView>(await gateway.call(`/tickets/${id}`, { method: 'PATCH', token, body: changes }), 200);
  const history = async (id: string, token = admin.accessToken) => (await json<Page<TicketHistoryEntry>>(await gateway.call(`/tickets/${id}/events?limit=100`, { token }), 200)).items;
  const firings = async (id: string) => (await history(id)).filter((entry) => entry.action === 'trigger.fired' || entry.action === 'trigger.failed');
  const comments = async (id: string) => (await json<Page<CommentView>>(await gateway.call(`/tickets/${id}/comments`, { token: admin.accessToken }), 200)).items;
  const outbox = async (id: string, type: string) =>
    ((await gateway.ticket.dataSource.query(`SELECT envelope FROM helpdesk.outbox WHERE aggregate_id = $1 AND type = $2 ORDER BY created_at, id`, [id, type])) as Array<{ envelope: EventEnvelope }>).map(
      (row) => row.envelope,
    );
  /** Waits until the ticket has `count` trigger history rows, then a while longer to see that no further one comes. */
  async function settledFirings(id: string, count: number): Promise<TicketHistoryEntry[]> {
    await waitFor(`${count} trigger history rows on ${id}`, async () => (await firings(id)).length >= count);
    await sleep(1_500);
    const rows = await firings(id);
    expect(rows).toHaveLength(count);
    return rows;
  }
  const firedName = (entry: TicketHistoryEntry) => (entry.changes.trigger?.to as { name: string }).name;

  it('lets an admin create, list in order, read, change, reorder, switch off and delete triggers; agents and customers get 403', async () => {
    const tag = marker();
    const first = await newTrigger({ name: unique('Escalate'), event: 'ticket.created', all: [{ field: 'tags', op: 'contains', value: tag.toUpperCase() }], any: [{ field: 'priority', op: 'is', value: 'urgent' }], actions: [{ type: 'set', field: 'teamId', value: null }] });
    expect(first).toMatchObject({ event: 'ticket.created', all: [{ field: 'tags', op: 'contains', value: tag }], any: [{ field: 'priority', op: 'is', value: 'urgent' }], active: true });
    const second = await newTrigger({ event: 'ticket.updated', actions: [{ type: 'addTags', value: [tag] }], active: false });
    expect(second.position).toBe(first.position + 1);
    expect(second.active).toBe(false);

    const listed = await json<Page<TriggerView>>(await gateway.call('/triggers?limit=100', { token: admin.accessToken }), 200);
    const order = listed.items.map((trigger) => trigger.id);
    expect(order.indexOf(first.id)).toBeLessThan(order.indexOf(second.id));
    const moved = await json<TriggerView>(await gateway.call(`/triggers/${second.id}`, { method: 'PATCH', token: admin.accessToken, body: { position: 0, active: true, name: 'Renamed <b>trigger</b>' } }), 200);
    expect(moved).toMatchObject({ position: 0, active: true, name: 'Renamed trigger' });
    expect(await json<TriggerView>(await gateway.call(`/triggers/${second.id}`, { token: admin.accessToken }), 200)).toEqual(moved);

    expect((await createTrigger({ name: unique('Agent'), event: 'ticket.created', all: [], actions: [{ type: 'addTags', value: ['x'] }] }, agent.accessToken)).status).toBe(403);
    expect((await gateway.call('/triggers', { token: agent.accessToken })).status).toBe(403);
    expect((await gateway.call('/triggers', { token: customer.accessToken })).status).toBe(403);
    expect((await gateway.call(`/triggers/${first.id}`, { method: 'DELETE', token: agent.accessToken })).status).toBe(403);
    expect((await createTrigger({ name: first.name.toUpperCase(), event: 'ticket.created', all: [], actions: [{ type: 'addTags', value: ['x'] }] })).status).toBe(409);

    expect(await json(await gateway.call(`/triggers/${first.id}`, { method: 'DELETE', token: admin.accessToken }), 200)).toEqual({ deleted: true });
    expect((await gateway.call(`/triggers/${first.id}`, { token: admin.accessToken })).status).toBe(404);
    await json(await gateway.call(`/triggers/${second.id}`, { method: 'DELETE', token: admin.accessToken }), 200);
  });

  it('refuses malformed triggers with a message naming the place, and a webhook action as 503 while no notification service can check it', async () => {
    const base = { name: unique('Bad'), event: 'ticket.created', all: [], actions: [{ type: 'addTags', value: ['x'] }] };
    const refusal = async (body: object, status = 400) => [(await json<{ message: string | string[] }>(await createTrigger({ ...base, ...body }), status)).message].flat().join('; ');
    expect(await refusal({ event: 'ticket.deleted' })).toMatch(/event must be one of ticket\.created, ticket\.updated, comment\.customer, comment\.agent, ticket\.sla\.warning, ticket\.sla\.breached/);
    expect(await refusal({ all: [{ field: 'status', op: 'is', value: 'open' }, { field: 'mood', op: 'is', value: 'sad' }] })).toMatch(/^all\[1\]: unknown field "mood"/);
    expect(await refusal({ any: [{ field: 'priority', op: 'contains', value: 'x' }] })).toMatch(/^any\[0\]: priority does not take op "contains"/);
    expect(await refusal({ actions: [{ type: 'addTags', value: ['x'] }, { type: 'notify', to: 'everyone', subject: 's', body: 'b' }] })).toBe('actions[1]: to must be one of assignee, team, requester, or an email address');
    expect(await refusal({ actions: [{ type: 'set', field: 'assigneeId', value: customer.principal.userId }] })).toBe('actions[0]: assigneeId must be an active agent or admin of this organization');
    expect(await refusal({ actions: [{ type: 'set', field: 'assigneeId', value: other.user.id }] })).toBe('actions[0]: assigneeId must be an active agent or admin of this organization');
    expect(await refusal({ actions: [{ type: 'comment', body: 'Hi {{ticket.owner}}' }] })).toMatch(/^actions\[0\]\.body uses unknown placeholder \{\{ticket\.owner\}\}/);
    // No notification service runs here: the webhook cannot be checked (the 422 for an unknown one: notification's webhook-rule-actions.spec.ts).
    expect(await refusal({ actions: [{ type: 'addTags', value: ['x'] }, { type: 'webhook', webhookId: randomUUID() }] }, 503)).toMatch(/^Webhook actions cannot be checked now: the notification service, which keeps the webhooks, is unavailable/);
    expect(await refusal({ actions: [] })).toMatch(/actions must hold at least one action/);
    expect(await refusal({ actions: [{ type: 'notify', to: 'team', subject: 's', body: 'b' }, { type: 'set', field: 'fields.nope', value: 'x' }] })).toBe('actions[1]: fields.nope is not a custom field of this organization');
  });

  it('keeps organizations apart: another organization\'s trigger is 404 and never acts on this organization\'s tickets', async () => {
    const tag = marker();
    const foreign = await newTrigger({ event: 'ticket.created', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'addTags', value: ['foreign'] }] }, other.accessToken);
    for (const [method, body] of [['GET', undefined], ['PATCH', { active: false }], ['DELETE', undefined]] as const) {
      expect((await gateway.call(`/triggers/${foreign.id}`, { method, token: admin.accessToken, body })).status).toBe(404);
    }
    const own = await newTrigger({ event: 'ticket.created', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'addTags', value: ['own'] }] });
    const created = await newTicket({ tags: [tag] });
    const rows = await settledFirings(created.id, 1);
    expect(firedName(rows[0]!)).toBe(own.name);
    expect((await ticket(created.id)).tags.sort()).toEqual([tag, 'own'].sort());
  });

  it('fires on ticket.created inside the creation: set, addTags, removeTags, an internal comment with placeholders and notify, audited as trigger.fired', async () => {
    const tag = marker();
    const team = await json<{ id: string }>(await gateway.call('/teams', { token: admin.accessToken, body: { name: unique('Team') } }), 201);
    const trigger = await newTrigger({
      event: 'ticket.created',
      all: [{ field: 'tags', op: 'contains', value: tag }, { field: 'subject', op: 'contains', value: 'outage' }],
      actions: [
        { type: 'set', field: 'priority', value: 'urgent' },
        { type: 'set', field: 'assigneeId', value: agent.principal.userId },
        { type: 'set', field: 'teamId', value: team.id },
        { type: 'addTags', value: ['escalated'] },
        { type: 'removeTags', value: ['drop-me'] },
        { type: 'comment', body: '<p>Escalated #{{ticket.number}} for {{requester.name}}</p>', internal: true },
        { type: 'notify', to: 'Oncall@Example.com', subject: 'Outage #{{ticket.number}}: {{ticket.subject}}', body: '<p>Requested by {{requester.name}}</p>' },
      ],
    });
    const quiet = await newTicket({ subject: 'Printer jam', tags: [tag] });
    const loud = await newTicket({ subject: 'Email outage & "more"', tags: [tag, 'drop-me'] });
    // The creation's own answer is the ticket as the trigger left it: nothing waits for the events stream.
    expect(loud).toMatchObject({ priority: 'urgent', assigneeId: agent.principal.userId, teamId: team.id });
    expect(loud.tags.sort()).toEqual([tag, 'escalated'].sort());
    const entries = await history(loud.id);
    expect(entries.map((entry) => [entry.action, entry.actorId])).toEqual([
      ['created', agent.principal.userId],
      ['trigger.fired', null],
    ]);
    expect(entries[0]!.changes.tags!.to).toEqual([tag, 'drop-me']);
    expect(entries[1]!.changes).toMatchObject({
      trigger: { to: { id: trigger.id, name: trigger.name, depth: 1 } },
      priority: { from: 'normal', to: 'urgent' },
      tags: { from: [tag, 'drop-me'], to: [tag, 'escalated'] },
      comment: { to: { internal: true } },
      notified: { to: ['oncall@example.com'] },
    });
    expect(await settledFirings(loud.id, 1)).toHaveLength(1);
    const [note] = await comments(loud.id).then((list) => list.filter((comment) => comment.internal));
    expect(note!.body).toBe(`<p>Escalated #${loud.number} for Rita Requester</p>`);
    const [notification] = await outbox(loud.id, 'ticket.notification_requested');
    expect(notification!.actor).toEqual({ system: `trigger:${trigger.id}` });
    expect(notification!.data).toMatchObject({ to: 'oncall@example.com', subject: `Outage #${loud.number}: Email outage & "more"`, body: '<p>Requested by Rita Requester</p>', rule: { kind: 'trigger', id: trigger.id } });
    // One ticket.created announces the ticket as the trigger left it; the trigger's comment follows it, in its chain.
    const [created] = await outbox(loud.id, 'ticket.created');
    expect(created!.data).toMatchObject({ ticket: { priority: 'urgent', assigneeId: agent.principal.userId, teamId: team.id }, triggers: [{ id: trigger.id, name: trigger.name }] });
    expect(await outbox(loud.id, 'ticket.updated')).toEqual([]);
    const [comment] = await outbox(loud.id, 'comment.created');
    expect(comment!.data).toMatchObject({ rule: { kind: 'trigger', id: trigger.id }, chain: { depth: 1, fired: [trigger.id] } });
    expect(await firings(quiet.id)).toEqual([]);
    expect(quiet.priority).toBe('normal');
  });

  it('fires on ticket.updated, a customer reply and an agent reply (public reply, status), and not on internal notes', async () => {
    const tag = marker();
    await newTrigger({ event: 'ticket.updated', all: [{ field: 'tags', op: 'contains', value: tag }, { field: 'status', op: 'is', value: 'pending' }], actions: [{ type: 'addTags', value: ['went-pending'] }] });
    await newTrigger({ event: 'comment.customer', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'addTags', value: ['customer-wrote'] }, { type: 'notify', to: 'assignee', subject: 'Reply on #{{ticket.number}}', body: 'The customer wrote' }] });
    await newTrigger({ event: 'comment.agent', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'comment', body: '<p>Thanks {{requester.name}}, we answered.</p>', internal: false }, { type: 'set', field: 'status', value: 'pending' }] });
    const created = await newTicket({}, customer.accessToken);
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.tickets SET tags = $2 WHERE id = $1`, [created.id, [tag]]);

    await json(await gateway.call(`/tickets/${created.id}/comments`, { token: agent.accessToken, body: { body: '<p>note</p>', internal: true } }), 201);
    await sleep(1_000);
    expect(await firings(created.id)).toEqual([]);

    await json(await gateway.call(`/tickets/${created.id}/comments`, { token: customer.accessToken, body: { body: '<p>Any news?</p>' } }), 201);
    await waitFor('the customer reply trigger', async () => (await ticket(created.id)).tags.includes('customer-wrote'));

    await json(await gateway.call(`/tickets/${created.id}/comments`, { token: agent.accessToken, body: { body: '<p>Looking</p>' } }), 201);
    // The agent reply trigger answers publicly and sets pending; that change (a ticket.updated at depth 1) fires the pending trigger.
    await waitFor('the pending trigger, fired by the agent reply trigger', async () => (await ticket(created.id)).tags.includes('went-pending'));
    const after = await ticket(created.id);
    expect(after.status).toBe('pending');
    const publicReplies = (await comments(created.id)).filter((comment) => !comment.internal).map((comment) => comment.body);
    expect(publicReplies).toContain('<p>Thanks Rita Requester, we answered.</p>');
    const rows = await settledFirings(created.id, 3);
    expect(rows.map((row) => (row.changes.trigger!.to as { depth: number }).depth)).toEqual([1, 1, 2]);
    const [notify] = await outbox(created.id, 'ticket.notification_requested');
    expect(notify!.data).toMatchObject({ to: 'assignee', subject: `Reply on #${created.number}` });
  });

  it('fires on SLA warnings and breaches as the SLA enforcer records them', async () => {
    const tag = marker();
    await newTrigger({ event: 'ticket.sla.warning', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'addTags', value: ['sla-warned'] }] });
    await newTrigger({ event: 'ticket.sla.breached', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'set', field: 'priority', value: 'urgent' }] });
    const created = await newTicket({ tags: [tag] });
    const enforcer = gateway.ticket.service.app.get(SlaEnforcer);
    // The enforcer's own sweep may record a milestone before check() does: either way it is recorded once.
    const recorded = async (action: string) =>
      Number(((await gateway.ticket.dataSource.query(`SELECT count(*)::int AS n FROM helpdesk.ticket_events WHERE ticket_id = $1 AND action = $2`, [created.id, action])) as Array<{ n: number }>)[0]!.n);
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.tickets SET first_response_warning_at = now() - interval '1 minute', first_response_due_at = now() + interval '1 hour' WHERE id = $1`, [created.id]);
    await enforcer.check(created.id);
    expect(await recorded('sla.warning')).toBe(1);
    await waitFor('the SLA warning trigger', async () => (await ticket(created.id)).tags.includes('sla-warned'));
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.tickets SET first_response_due_at = now() - interval '1 second' WHERE id = $1`, [created.id]);
    await enforcer.check(created.id);
    expect(await recorded('sla.breached')).toBe(1);
    await waitFor('the SLA breach trigger', async () => (await ticket(created.id)).priority === 'urgent');
    await settledFirings(created.id, 2);
  });

  it('stops a loop: A adds a tag, B removes it, and neither fires twice in the chain', async () => {
    const tag = marker();
    const a = await newTrigger({ name: unique('A'), event: 'ticket.updated', all: [{ field: 'tags', op: 'contains', value: tag }, { field: 'tags', op: 'notContains', value: 'flag' }], actions: [{ type: 'addTags', value: ['flag'] }] });
    const b = await newTrigger({ name: unique('B'), event: 'ticket.updated', all: [{ field: 'tags', op: 'contains', value: tag }, { field: 'tags', op: 'contains', value: 'flag' }], actions: [{ type: 'removeTags', value: ['flag'] }] });
    const created = await newTicket();
    await update(created.id, { tags: [tag] });
    const rows = await settledFirings(created.id, 2);
    expect(rows.map(firedName)).toEqual([a.name, b.name]);
    expect((await ticket(created.id)).tags).toEqual([tag]);
  });

  it('stops a chain at depth 5', async () => {
    const tag = marker();
    const steps = ['s1', 's2', 's3', 's4', 's5', 's6'].map((step) => `${tag}-${step}`);
    const chain = [];
    for (const [index, step] of steps.entries()) {
      const previous = index === 0 ? tag : steps[index - 1]!;
      chain.push(await newTrigger({ name: unique(`Step ${index + 1}`), event: 'ticket.updated', all: [{ field: 'tags', op: 'contains', value: previous }, { field: 'tags', op: 'notContains', value: step }], actions: [{ type: 'addTags', value: [step] }] }));
    }
    const created = await newTicket();
    await update(created.id, { tags: [tag] });
    const rows = await settledFirings(created.id, 5);
    expect(rows.map((row) => (row.changes.trigger!.to as { depth: number }).depth)).toEqual([1, 2, 3, 4, 5]);
    const tags = (await ticket(created.id)).tags;
    expect(tags).toContain(steps[4]);
    expect(tags).not.toContain(steps[5]);
  });

  it('isolates a failing trigger: it is logged on the ticket, and the next trigger and other tickets go on', async () => {
    const tag = marker();
    const leaving = await gateway.addUser(admin.organization.id, 'agent');
    const failing = await newTrigger({ name: unique('Failing'), event: 'ticket.created', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'addTags', value: ['half-done'] }, { type: 'set', field: 'assigneeId', value: leaving.principal.userId }] });
    const next = await newTrigger({ name: unique('Next'), event: 'ticket.created', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'addTags', value: ['next-ran'] }] });
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.users SET active = false WHERE id = $1`, [leaving.principal.userId]);
    const [first, second] = await Promise.all([newTicket({ tags: [tag] }), newTicket({ tags: [tag] })]);
    for (const created of [first!, second!]) {
      const rows = await settledFirings(created.id, 2);
      expect(rows.map((row) => [row.action, firedName(row)])).toEqual([
        ['trigger.failed', failing.name],
        ['trigger.fired', next.name],
      ]);
      expect(rows[0]!.changes.error!.to).toBe('assigneeId must be an active agent or admin of this organization');
      // The failing trigger's first action was rolled back with the rest of it.
      expect((await ticket(created.id)).tags.sort()).toEqual(['next-ran', tag].sort());
    }
  });

  it('fires each trigger at most once per event: redelivered, or received by two replicas at once', async () => {
    const tag = marker();
    const counting = await newTrigger({ event: 'ticket.updated', all: [{ field: 'tags', op: 'contains', value: tag }], actions: [{ type: 'comment', body: 'Counted', internal: true }] });
    const onCreation = await newTrigger({ event: 'ticket.created', all: [{ field: 'subject', op: 'contains', value: tag }], actions: [{ type: 'comment', body: 'Counted at creation', internal: true }] });
    const replica = await gateway.ticket.startReplica();
    await replica.app.get(TriggerEngine).ready;
    const tickets = await Promise.all(Array.from({ length: 20 }, () => newTicket({ subject: `Counting ${tag}` })));
    await Promise.all(tickets.map((created) => update(created.id, { tags: [tag] })));
    const fired = await Promise.all(tickets.map(async (created) => (await settledFirings(created.id, 2)).map(firedName)));
    expect(fired).toEqual(tickets.map(() => [onCreation.name, counting.name]));
    // Both replicas handed the same events again at once (a redelivery racing the first delivery).
    const engines = [gateway.ticket.service.app.get(TriggerEngine), replica.app.get(TriggerEngine)];
    for (const type of ['ticket.created', 'ticket.updated']) {
      const [event] = await outbox(tickets[0]!.id, type);
      expect(await Promise.all(engines.map((engine) => engine.handle(event!)))).toEqual([{ fired: [] }, { fired: [] }]);
    }
    expect(await firings(tickets[0]!.id)).toHaveLength(2);
    const bodies = (await comments(tickets[0]!.id)).map((comment) => comment.body);
    expect(bodies.filter((body) => body === 'Counted')).toHaveLength(1);
    expect(bodies.filter((body) => body === 'Counted at creation')).toHaveLength(1);

    // Firings outlive their events only as long as the stream keeps them.
    const engine = gateway.ticket.service.app.get(TriggerEngine);
    expect(await engine.prune()).toBe(0);
    await gateway.ticket.dataSource.query(`UPDATE helpdesk.trigger_firings SET fired_at = now() - interval '16 days' WHERE ticket_id = $1`, [tickets[0]!.id]);
    expect(await engine.prune()).toBe(1);
  }, 60_000);

  it('applies a trigger change to the next creation on every replica, and a creation trigger routing to a round-robin team gets the ticket born assigned', async () => {
    const tag = marker();
    const replica = await gateway.ticket.startReplica();
    const replicas = [gateway.ticket.service, replica];
    const team = await json<{ id: string }>(await gateway.call('/teams', { token: admin.accessToken, body: { name: unique('Routed'), assignment: 'round_robin' } }), 201);
    await json(await gateway.call(`/teams/${team.id}/members`, { method: 'PUT', token: admin.accessToken, body: { memberIds: [agent.principal.userId] } }), 200);
    await gateway.ticket.reportPresence([agent.principal]);
    const routing = await newTrigger({ event: 'ticket.created', all: [{ field: 'subject', op: 'contains', value: tag }], actions: [{ type: 'set', field: 'teamId', value: team.id }] });
    // The member's joining and presence kicked passes over the team: a creation meeting one leaves its ticket to it.
    await Promise.all(replicas.map((service) => service.app.get(AssignmentService).settled()));
    // One at a time (a creation meeting another's lock on the team leaves its ticket to the pass), and enough that both replicas' caches hold the trigger.
    const routed: TicketView[] = [];
    for (let index = 0; index < 8; index += 1) routed.push(await newTicket({ subject: `Route ${tag}` }));
    for (const created of routed) expect(created).toMatchObject({ teamId: team.id, assigneeId: agent.principal.userId });
    const [event] = await outbox(routed[0]!.id, 'ticket.created');
    expect(event!.data).toMatchObject({ ticket: { teamId: team.id, assigneeId: agent.principal.userId }, assignment: 'round_robin', triggers: [{ id: routing.id }] });
    expect(await outbox(routed[0]!.id, 'ticket.assigned')).toEqual([]);

    await json(await gateway.call(`/triggers/${routing.id}`, { method: 'PATCH', token: admin.accessToken, body: { active: false } }), 200);
    const after = await Promise.all(Array.from({ length: 8 }, () => newTicket({ subject: `Route ${tag}` })));
    expect(after.map((created) => created.teamId)).toEqual(after.map(() => null));
  }, 60_000);

  it('documents the routes and their answers in OpenAPI, and refuses an id that is not a UUID', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const answers = (path: string, method: string) => Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(answers('/api/v1/triggers', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '409', '422']));
    expect(answers('/api/v1/triggers', 'get')).toEqual(expect.arrayContaining(['200', '403']));
    expect(answers('/api/v1/triggers/{id}', 'patch')).toEqual(expect.arrayContaining(['200', '400', '404', '422']));
    expect(answers('/api/v1/triggers/{id}', 'delete')).toEqual(expect.arrayContaining(['404']));
    expect((await gateway.call('/triggers/not-a-uuid', { token: admin.accessToken })).status).toBe(400);
  });
});
