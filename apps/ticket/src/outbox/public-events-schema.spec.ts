import { PUBLIC_EVENT_TYPES, subjects, type IssuedLinkToken, type MacroView, type Principal, type PublicEventType, type TicketView, type UserView } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateAsyncApiDocument, YAML_TARGET } from '../../../../scripts/asyncapi.mjs';
import { SlaEnforcer } from '../sla/sla-enforcer.js';
import { TicketHarness, type StoredEvent } from '../testing/ticket-harness.js';
import { TriggerEngine } from '../triggers/trigger-engine.js';

/**
 * Public event types this test cannot make the real service publish, each with the reason. Empty: every
 * public type is published below. A type added to PUBLIC_EVENT_TYPES must be published here or named here.
 */
const NOT_PUBLISHED_HERE: Partial<Record<PublicEventType, string>> = {};

type AsyncApiDocument = { components: { schemas: Record<string, unknown>; messages: Record<string, { payload: { $ref: string }; headers: { $ref: string } }> } };

/** Compiles the schemas of one AsyncAPI document: `compile('#/components/schemas/X')`. */
function schemaCompiler(document: AsyncApiDocument, id: string) {
  // strictSchema off: the document is not a JSON Schema itself, its components.schemas are (AsyncAPI schema = draft-07 superset).
  const ajv = new Ajv({ allErrors: true, strictSchema: false });
  addFormats.default(ajv);
  ajv.addSchema({ $id: id, components: { schemas: document.components.schemas } });
  return (pointer: string) => ajv.compile({ $ref: `${id}${pointer}` });
}

/** Validators of each public event's envelope and headers, as one AsyncAPI document describes them. */
function validatorsOf(document: AsyncApiDocument, id: string) {
  const compile = schemaCompiler(document, id);
  const byType = new Map<string, { payload: ValidateFunction; headers: ValidateFunction }>();
  for (const type of PUBLIC_EVENT_TYPES) {
    const message = document.components.messages[type]!;
    byType.set(type, { payload: compile(message.payload.$ref), headers: compile(message.headers.$ref) });
  }
  return byType;
}

/** The error envelope as it crossed the wire (the command client rethrows it as an error). */
const envelopeOf = ({ code, message, details }: { code: string; message: string; details?: unknown }) => ({ code, message, ...(details === undefined ? {} : { details }) });

const errorsOf = (validate: ValidateFunction) => (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);

/**
 * The real ticket service publishes events that match docs/asyncapi.yaml: every public event type is
 * triggered through the service's own commands, read back from HELPDESK_EVENTS (with its Nats-Msg-Id
 * header), and validated with ajv against the published document and against its strict variant, which
 * closes every object, so an event property the contracts do not describe fails too. The public commands'
 * result schemas are checked against the ticket service's answers to the same actions (the REST API's bodies).
 */
describe('published events against the AsyncAPI document', () => {
  let harness: TicketHarness;
  let admin: Principal;
  let agent: Principal;
  let customer: Principal;
  let events: StoredEvent[];

  const send = <T>(subject: string, payload: object) => harness.send<T>(subject, payload);
  const age = (ticketId: string, assignments: string) => harness.dataSource.query(`UPDATE helpdesk.tickets SET ${assignments} WHERE id = $1`, [ticketId]);

  beforeAll(async () => {
    harness = await TicketHarness.start('public-events');
    ({ admin } = await harness.signup('Public Events Desk'));
    agent = await harness.addUser(admin.orgId, 'agent');
    customer = await harness.addUser(admin.orgId, 'customer');
    await harness.service.app.get(TriggerEngine).ready;

    // Rules, so that events carry their context: a creation trigger (data.triggers) and an update trigger (data.rule, data.chain).
    await send(subjects.triggers.create, { principal: admin, name: 'Tag on creation', event: 'ticket.created', all: [], actions: [{ type: 'addTags', value: ['triaged'] }] });
    await send(subjects.triggers.create, { principal: admin, name: 'Urgent is hot', event: 'ticket.updated', all: [{ field: 'priority', op: 'is', value: 'urgent' }], actions: [{ type: 'addTags', value: ['hot'] }] });
    await send(subjects.ticketFields.create, { principal: admin, key: 'severity', label: 'Severity', type: 'text' });
    const macro = await send<MacroView>(subjects.macros.create, { principal: admin, name: 'Ask for logs', actions: [{ type: 'set', field: 'status', value: 'pending' }, { type: 'comment', body: '<p>Could you send the logs?</p>', internal: false }] });

    // ticket.created (with triggers), comment.created by staff (and ticket.status_changed new → open, ticket by reference).
    const ticket = await send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Printer on fire', description: 'Smoke everywhere', priority: 'high' });
    await send(subjects.comments.create, { principal: agent, ticketId: ticket.id, body: '<p>On it</p>' });
    await send(subjects.comments.create, { principal: agent, ticketId: ticket.id, body: 'Internal note', internal: true });
    // ticket.updated, ticket.assigned, ticket.status_changed (full summary); the update trigger then adds its tag.
    await send(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { assigneeId: agent.userId, priority: 'urgent', status: 'on_hold' } });
    await send(subjects.tickets.update, { principal: admin, ticketId: ticket.id, changes: { fields: { severity: 'sev1' } } });
    await send(subjects.tickets.addParticipant, { principal: agent, ticketId: ticket.id, email: `copied-${randomUUID().slice(0, 8)}@example.com`, name: 'Copied Person' });
    await send(subjects.tickets.follow, { principal: agent, ticketId: ticket.id });
    // A macro: ticket.updated, ticket.status_changed and comment.created with data.macro.
    await send(subjects.macros.apply, { principal: agent, ticketId: ticket.id, macroId: macro.id });
    // The customer answers: their comment reopens the pending ticket.
    await send(subjects.comments.create, { principal: customer, ticketId: ticket.id, body: 'Here are the logs' });
    await send(subjects.attachments.add, { principal: customer, ticketId: ticket.id, filename: 'logs.txt', contentType: 'text/plain', size: 1_024, sha256: 'a'.repeat(64), objectKey: `tickets/${randomUUID()}` });

    // Links, a merge (ticket.merged; ticket.updated with mergedInto / mergedFrom).
    const other = await send<TicketView>(subjects.tickets.create, { principal: agent, subject: 'Second printer', description: 'Also smoking', requesterEmail: `req-${randomUUID().slice(0, 8)}@example.com` });
    await send(subjects.tickets.addLink, { principal: agent, ticketId: ticket.id, targetId: other.id, kind: 'related' });
    const duplicate = await send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Printer still on fire', description: 'Again' });
    await send(subjects.tickets.merge, { principal: admin, ticketId: duplicate.id, targetId: ticket.id });

    // ticket.satisfaction_rated: solved, then rated through the survey link.
    await send(subjects.tickets.update, { principal: agent, ticketId: ticket.id, changes: { status: 'solved' } });
    const link = await send<IssuedLinkToken>(subjects.satisfaction.issueLink, { ticketId: ticket.id, userId: ticket.requesterId });
    await send(subjects.satisfaction.rate, { token: link.token, rating: 'good', comment: 'Fast' });

    // SLA: the clock moved into the past, as if the time had gone by; the enforcer records the warning and the breach.
    const enforcer = harness.service.app.get(SlaEnforcer);
    const late = await send<TicketView>(subjects.tickets.create, { principal: customer, subject: 'Nobody answers', description: 'Hello?' });
    await age(late.id, `first_response_warning_at = now() - interval '1 minute', first_response_due_at = now() + interval '1 hour'`);
    await enforcer.check(late.id);
    await age(late.id, `first_response_due_at = now() - interval '1 minute'`);
    await enforcer.check(late.id);

    // Users: invited, role changed, deactivated.
    const invited = await send<UserView>(subjects.users.invite, { principal: admin, name: 'New Agent', email: `new-${randomUUID().slice(0, 8)}@example.com`, role: 'agent' });
    await send(subjects.users.update, { principal: admin, userId: invited.id, changes: { role: 'admin' } });
    await send(subjects.users.deactivate, { principal: admin, userId: invited.id });

    const expected = PUBLIC_EVENT_TYPES.filter((type) => !NOT_PUBLISHED_HERE[type]);
    events = await waitFor('every public event type in HELPDESK_EVENTS, and the update trigger\'s change', async () => {
      const stored = await harness.storedEvents();
      const types = new Set(stored.map((event) => event.envelope.type));
      const triggered = stored.some((event) => event.envelope.type === 'ticket.updated' && 'rule' in event.envelope.data);
      return expected.every((type) => types.has(type)) && triggered ? stored : undefined;
    }, 90_000);
    // Some thirty commands, then the relay and the triggers' consumer: generous on a busy machine.
  }, 180_000);

  afterAll(() => harness?.stop());

  const publicEvents = () => events.filter((event) => (PUBLIC_EVENT_TYPES as readonly string[]).includes(event.envelope.type));

  it('publishes every public event type (or names why it cannot here)', () => {
    const seen = new Set(publicEvents().map((event) => event.envelope.type));
    expect(PUBLIC_EVENT_TYPES.filter((type) => !seen.has(type))).toEqual(Object.keys(NOT_PUBLISHED_HERE));
    // The variants the document describes were published too.
    const data = (type: string) => publicEvents().filter((event) => event.envelope.type === type).map((event) => event.envelope.data);
    expect(data('ticket.created').some((entry) => Array.isArray(entry.triggers))).toBe(true);
    expect(data('ticket.updated').some((entry) => 'rule' in entry && 'chain' in entry)).toBe(true);
    expect(data('ticket.updated').some((entry) => 'macro' in entry)).toBe(true);
    expect(data('ticket.updated').some((entry) => 'fields' in (entry.changes as object))).toBe(true);
    expect(data('ticket.status_changed').some((entry) => Object.keys(entry.ticket as object).length === 2)).toBe(true);
    expect(data('comment.created').some((entry) => 'macro' in entry)).toBe(true);
  });

  it('matches docs/asyncapi.yaml, and its strict variant (no property the contracts do not describe)', async () => {
    const published = validatorsOf(parse(await readFile(YAML_TARGET, 'utf8')) as AsyncApiDocument, 'https://helpdesk.invalid/asyncapi.json');
    const strict = validatorsOf((await generateAsyncApiDocument({ strict: true })) as AsyncApiDocument, 'https://helpdesk.invalid/asyncapi-strict.json');
    const problems: string[] = [];
    for (const { envelope, msgId } of publicEvents()) {
      const headers = { 'Nats-Msg-Id': msgId };
      for (const [label, validators] of [
        ['published', published],
        ['strict', strict],
      ] as const) {
        const { payload, headers: headerValidator } = validators.get(envelope.type)!;
        if (!payload(envelope as unknown)) problems.push(`${label} ${envelope.type} ${JSON.stringify(envelope.data)}: ${errorsOf(payload).join('; ')}`);
        if (!headerValidator(headers)) problems.push(`${label} ${envelope.type} headers: ${errorsOf(headerValidator).join('; ')}`);
      }
      expect(msgId).toBe(envelope.id);
    }
    expect(problems).toEqual([]);
    expect(publicEvents().length).toBeGreaterThan(PUBLIC_EVENT_TYPES.length);
  });

  it("describes the results the public commands answer with (the ticket service's own answers to the same actions) and the error reply", async () => {
    const compile = schemaCompiler((await generateAsyncApiDocument({ strict: true })) as AsyncApiDocument, 'https://helpdesk.invalid/asyncapi-commands.json');
    const reply = (name: string) => compile(`#/components/schemas/${name}`);
    const ticket = await send<TicketView>(subjects.tickets.create, { principal: agent, subject: 'Invoice missing', description: 'From billing', priority: 'high', tags: ['billing'], requesterEmail: `billing-${randomUUID().slice(0, 8)}@example.com` });
    const answers: Array<[string, unknown]> = [
      ['TicketsCreateReply', { result: ticket }],
      ['TicketsGetReply', { result: await send(subjects.tickets.get, { principal: agent, ticketId: ticket.id }) }],
      ['CommentsCreateReply', { result: await send(subjects.comments.create, { principal: agent, ticketId: ticket.id, body: 'Looking', internal: true }) }],
      ['UsersFindByEmailReply', { result: await send(subjects.users.get, { principal: agent, userId: customer.userId }) }],
      ['TicketsGetReply', { error: envelopeOf(await harness.fail(subjects.tickets.get, { principal: agent, ticketId: randomUUID() })) }],
    ];
    const problems = answers.flatMap(([name, answer]) => {
      const validate = reply(name);
      return validate(answer) ? [] : [`${name} ${JSON.stringify(answer)}: ${errorsOf(validate).join('; ')}`];
    });
    expect(problems).toEqual([]);
    // Neither a result of another command's shape nor an unknown error code passes.
    expect(reply('CommentsCreateReply')({ result: ticket })).toBe(false);
    expect(reply('TicketsGetReply')({ error: { code: 'TEAPOT', message: 'x' } })).toBe(false);
  });

  it('refuses an event that breaks its schema (the validators are not vacuous)', async () => {
    const strict = validatorsOf((await generateAsyncApiDocument({ strict: true })) as AsyncApiDocument, 'https://helpdesk.invalid/asyncapi-refusal.json');
    const created = publicEvents().find((event) => event.envelope.type === 'ticket.created')!.envelope;
    const { payload } = strict.get('ticket.created')!;
    const withoutNumber = structuredClone(created) as unknown as { data: { ticket: Record<string, unknown> } };
    delete withoutNumber.data.ticket.number;
    expect(payload(withoutNumber)).toBe(false);
    expect(payload({ ...created, data: { ...created.data, secret: 'x' } })).toBe(false);
    expect(payload({ ...created, type: 'ticket.updated' })).toBe(false);
    expect(payload(created)).toBe(true);
  });
});
