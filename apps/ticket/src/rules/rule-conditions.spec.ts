import { loadConfig, runMigrations } from '@helpdesk/common';
import type { RuleConditions } from '@helpdesk/contracts';
import { createTestDatabase } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketMigrations } from '../database/migrations/index.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { TicketConfig } from '../ticket.config.js';
import { businessHoursAgo, compileRuleConditions, parseRuleConditions, ruleStateKeySql, ticketMatchesConditions } from './rule-conditions.js';

const FIELDS = [
  { key: 'plan', type: 'dropdown' as const, options: ['free', 'pro', 'enterprise'] },
  { key: 'seats', type: 'number' as const, options: [] },
  { key: 'renewal', type: 'date' as const, options: [] },
  { key: 'vip', type: 'checkbox' as const, options: [] },
  { key: 'note', type: 'text' as const, options: [] },
  { key: 'products', type: 'multiselect' as const, options: ['mail', 'chat', 'voice'] },
];

const BERLIN_WEEKDAYS: BusinessCalendar = {
  timezone: 'Europe/Berlin',
  businessHours: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }], wed: [{ start: '09:00', end: '17:00' }], thu: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '17:00' }] },
  holidays: [],
};

function parseError(raw: unknown): string {
  try {
    parseRuleConditions(raw, FIELDS);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the conditions to be refused');
}

describe('parseRuleConditions', () => {
  it('normalizes a valid rule: tags lowercased, ids lowercased, hoursSince carrying its business-hours flag', () => {
    const parsed = parseRuleConditions(
      {
        all: [
          { field: 'status', op: 'is', value: 'pending' },
          { field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: true },
          { field: 'tags', op: 'contains', value: ' VIP ' },
        ],
        any: [{ field: 'assigneeId', op: 'in', value: ['AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA'] }],
      },
      FIELDS,
    );
    expect(parsed).toEqual({
      all: [
        { field: 'status', op: 'is', value: 'pending' },
        { field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: true },
        { field: 'tags', op: 'contains', value: 'vip' },
      ],
      any: [{ field: 'assigneeId', op: 'in', value: ['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'] }],
    });
  });

  it('names the place and the problem of each refused condition', () => {
    expect(parseError({ all: [{ field: 'colour', op: 'is', value: 'red' }] })).toMatch(/^all\[0\]: unknown field "colour"/);
    expect(parseError({ all: [], any: [{ field: 'status', op: 'gt', value: 'open' }] })).toMatch(/^any\[0\]: status does not take op "gt"/);
    expect(parseError({ all: [{ field: 'status', op: 'is', value: 'done' }] })).toMatch(/^all\[0\]: status must be one of new, open/);
    expect(parseError({ all: [{ field: 'status', op: 'in', value: [] }] })).toMatch(/^all\[0\]: status with op "in" takes a non-empty list/);
    expect(parseError({ all: [{ field: 'hoursSince.created', op: 'gt', value: -1 }] })).toMatch(/^all\[0\]: hoursSince.created takes a number of hours above 0/);
    expect(parseError({ all: [{ field: 'subject', op: 'contains', value: 'x', businessHours: true }] })).toMatch(/^all\[0\]: businessHours applies only to hoursSince fields/);
    expect(parseError({ all: [{ field: 'teamId', op: 'is', value: 'team-1' }] })).toMatch(/^all\[0\]: teamId takes a UUID or null/);
    expect(parseError({ all: [{ field: 'fields.missing', op: 'is', value: 1 }] })).toMatch(/^all\[0\]: fields.missing is not a custom field of this organization/);
    expect(parseError({ all: [{ field: 'fields.seats', op: 'contains', value: 1 }] })).toMatch(/^all\[0\]: fields.seats does not take op "contains"/);
    expect(parseError({ all: [{ field: 'fields.seats', op: 'gt', value: '10' }] })).toMatch(/^all\[0\]: fields.seats takes a number/);
    expect(parseError({ all: [{ field: 'fields.plan', op: 'is', value: 'gold' }] })).toMatch(/^all\[0\]: fields.plan values must be one of free, pro, enterprise/);
    expect(parseError({ all: [{ field: 'fields.renewal', op: 'lt', value: '2026-02-30' }] })).toMatch(/^all\[0\]: fields.renewal takes a date as YYYY-MM-DD/);
    expect(parseError({ all: [{ field: 'fields.vip', op: 'is', value: 'yes' }] })).toMatch(/^all\[0\]: fields.vip takes true or false/);
    expect(parseError({ all: [{ field: 'status', op: 'is', value: 'open', extra: 1 }] })).toMatch(/^all\[0\]: unknown properties: extra/);
    expect(parseError({ all: 'status=open' })).toBe('all must be a list of conditions');
  });
});

describe('compileRuleConditions', () => {
  const now = new Date('2026-03-04T12:00:00.000Z');

  it('binds every value as a numbered parameter and never writes it into the SQL', () => {
    const hostile = "x'); DROP TABLE helpdesk.tickets; --";
    const compiled = compileRuleConditions(
      { all: [{ field: 'subject', op: 'contains', value: hostile }, { field: 'fields.note', op: 'is', value: hostile }], any: [{ field: 'requester.email', op: 'is', value: hostile }] },
      { now, firstParam: 3 },
    );
    expect(compiled.sql).not.toContain('DROP');
    expect(compiled.sql).toContain('$3');
    expect(compiled.params).toHaveLength(3);
    expect(compiled.params[0]).toBe(hostile.toLowerCase());
  });

  it('compares hoursSince with a bound instant so the moment\'s index serves it', () => {
    const compiled = compileRuleConditions({ all: [{ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: false }] }, { now });
    expect(compiled).toEqual({ sql: '(t.pending_since <= CAST($1 AS timestamptz))', params: ['2026-03-01T12:00:00.000Z'] });
  });

  it('counts business hours backwards from now across nights and the weekend', () => {
    // Wednesday 12:00 UTC is 13:00 in Berlin: 4 business hours that day, 8 on Tuesday, 8 on Monday.
    expect(businessHoursAgo(now, 4, BERLIN_WEEKDAYS)?.toISOString()).toBe('2026-03-04T08:00:00.000Z');
    expect(businessHoursAgo(now, 12, BERLIN_WEEKDAYS)?.toISOString()).toBe('2026-03-03T08:00:00.000Z');
    // 20 hours: Wed 4 + Tue 8 + Mon 8, so Monday's opening; 21 reaches into Friday's last hour.
    expect(businessHoursAgo(now, 20, BERLIN_WEEKDAYS)?.toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(businessHoursAgo(now, 21, BERLIN_WEEKDAYS)?.toISOString()).toBe('2026-02-27T15:00:00.000Z');
  });

  it('keys the matching state on the moments the rule measures from', () => {
    expect(ruleStateKeySql({ all: [{ field: 'hoursSince.pending', op: 'gt', value: 1 }] })).toContain('t.pending_since');
    expect(ruleStateKeySql({ all: [{ field: 'status', op: 'is', value: 'open' }] })).toContain('t.created_at');
  });
});

describe('rule conditions on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: DataSource;
  const orgId = randomUUID();
  const teamId = randomUUID();
  const agentId = randomUUID();
  const now = new Date();
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const ids: Record<string, string> = {};

  async function ticket(name: string, values: Record<string, unknown>): Promise<void> {
    const id = randomUUID();
    ids[name] = id;
    const row = { subject: name, status: 'open', priority: 'normal', channel: 'web', tags: [], requester_id: values['requester_id'] ?? ids['requester-acme'], fields: {}, created_at: now, updated_at: now, ...values };
    const columns = Object.keys(row);
    await db.query(
      `INSERT INTO helpdesk.tickets (id, organization_id, number, description, ${columns.join(', ')}) VALUES ($1, $2, ${Object.keys(ids).length}, '', ${columns.map((_, index) => `$${index + 3}`).join(', ')})`,
      [id, orgId, ...columns.map((column) => (column === 'fields' ? JSON.stringify(row[column as keyof typeof row]) : row[column as keyof typeof row]))],
    );
  }

  /** The names of the tickets the conditions select, in name order. */
  async function matching(rule: RuleConditions, calendar?: BusinessCalendar): Promise<string[]> {
    const parsed = parseRuleConditions(rule, FIELDS);
    const compiled = compileRuleConditions(parsed, { now, calendar, firstParam: 2 });
    const rows: Array<{ subject: string }> = await db.query(`SELECT t.subject FROM helpdesk.tickets t WHERE t.organization_id = $1 AND (${compiled.sql}) ORDER BY t.subject`, [orgId, ...compiled.params]);
    return rows.map((row) => row.subject);
  }

  beforeAll(async () => {
    database = await createTestDatabase('rule-conditions');
    const config = loadConfig(TicketConfig, { DB_NAME: database.name });
    await runMigrations({ config, schema: TICKET_SCHEMA, migrations: ticketMigrations, direction: 'up' });
    db = new DataSource({ type: 'postgres', host: config.DB_HOST, port: config.DB_PORT, username: config.DB_USER, database: database.name });
    await db.initialize();
    await db.query(`INSERT INTO helpdesk.organizations (id, name, slug, business_hours) VALUES ($1, 'Acme', $2, '{}')`, [orgId, `acme-${orgId.slice(0, 8)}`]);
    await db.query(`INSERT INTO helpdesk.teams (id, organization_id, name) VALUES ($1, $2, 'Billing')`, [teamId, orgId]);
    ids['requester-acme'] = randomUUID();
    ids['requester-other'] = randomUUID();
    await db.query(
      `INSERT INTO helpdesk.users (id, organization_id, email, name, role) VALUES ($1, $4, 'Jane@Acme.example', 'Jane', 'customer'), ($2, $4, 'bob@other.example', 'Bob', 'customer'), ($3, $4, 'agent@acme.example', 'Ann', 'agent')`,
      [ids['requester-acme'], ids['requester-other'], agentId, orgId],
    );
    await ticket('a-pending-old', { status: 'pending', priority: 'low', tags: ['vip', 'billing'], pending_since: hoursAgo(80), created_at: hoursAgo(100), updated_at: hoursAgo(80), team_id: teamId, fields: { plan: 'pro', seats: 12, products: ['mail', 'chat'], note: 'Renewal Pending' } });
    await ticket('b-pending-new', { status: 'pending', priority: 'high', channel: 'email', pending_since: hoursAgo(2), created_at: hoursAgo(30), assignee_id: agentId, requester_id: ids['requester-other'], fields: { plan: 'free', seats: 3, renewal: '2026-01-15', vip: true } });
    await ticket('c-solved', { status: 'solved', priority: 'urgent', channel: 'chat', resolved_at: hoursAgo(100), created_at: hoursAgo(200), last_agent_reply_at: hoursAgo(101), fields: { renewal: '2027-06-01', vip: false } });
    await ticket('d-open-unanswered', { status: 'open', created_at: hoursAgo(5), tags: ['billing'] });
    await ticket('e-open-answered', { status: 'open', created_at: hoursAgo(50), last_agent_reply_at: hoursAgo(1), subject: 'e-open-answered Invoice question' });
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('status, priority and channel: is, isNot, in, and priority by urgency', async () => {
    expect(await matching({ all: [{ field: 'status', op: 'is', value: 'pending' }] })).toEqual(['a-pending-old', 'b-pending-new']);
    expect(await matching({ all: [{ field: 'status', op: 'isNot', value: 'pending' }] })).toEqual(['c-solved', 'd-open-unanswered', 'e-open-answered Invoice question']);
    expect(await matching({ all: [{ field: 'status', op: 'in', value: ['solved', 'pending'] }] })).toEqual(['a-pending-old', 'b-pending-new', 'c-solved']);
    expect(await matching({ all: [{ field: 'priority', op: 'gt', value: 'normal' }] })).toEqual(['b-pending-new', 'c-solved']);
    expect(await matching({ all: [{ field: 'priority', op: 'lt', value: 'normal' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'channel', op: 'in', value: ['email', 'chat'] }] })).toEqual(['b-pending-new', 'c-solved']);
  });

  it('tags: contains, notContains, in', async () => {
    expect(await matching({ all: [{ field: 'tags', op: 'contains', value: 'VIP' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'tags', op: 'notContains', value: 'billing' }] })).toEqual(['b-pending-new', 'c-solved', 'e-open-answered Invoice question']);
    expect(await matching({ all: [{ field: 'tags', op: 'in', value: ['vip', 'billing'] }] })).toEqual(['a-pending-old', 'd-open-unanswered']);
  });

  it('teamId and assigneeId: a value, none (null), and isNot including tickets without one', async () => {
    expect(await matching({ all: [{ field: 'teamId', op: 'is', value: teamId }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'assigneeId', op: 'is', value: null }, { field: 'status', op: 'is', value: 'pending' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'assigneeId', op: 'isNot', value: agentId }, { field: 'status', op: 'is', value: 'pending' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'assigneeId', op: 'in', value: [agentId] }] })).toEqual(['b-pending-new']);
  });

  it('requester.email and subject: case-insensitive equality and substrings', async () => {
    expect(await matching({ all: [{ field: 'requester.email', op: 'is', value: 'jane@acme.EXAMPLE' }, { field: 'status', op: 'is', value: 'pending' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'requester.email', op: 'contains', value: '@other.' }] })).toEqual(['b-pending-new']);
    expect(await matching({ all: [{ field: 'requester.email', op: 'notContains', value: '@acme.' }] })).toEqual(['b-pending-new']);
    expect(await matching({ all: [{ field: 'subject', op: 'contains', value: 'INVOICE' }] })).toEqual(['e-open-answered Invoice question']);
    expect(await matching({ all: [{ field: 'subject', op: 'is', value: 'C-SOLVED' }] })).toEqual(['c-solved']);
  });

  it('hoursSince: created, updated, pending, solved and lastAgentReply (unanswered counts from creation)', async () => {
    expect(await matching({ all: [{ field: 'hoursSince.created', op: 'gt', value: 40 }] })).toEqual(['a-pending-old', 'c-solved', 'e-open-answered Invoice question']);
    expect(await matching({ all: [{ field: 'hoursSince.created', op: 'lt', value: 40 }] })).toEqual(['b-pending-new', 'd-open-unanswered']);
    expect(await matching({ all: [{ field: 'hoursSince.updated', op: 'gt', value: 72 }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'hoursSince.pending', op: 'gt', value: 72 }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'hoursSince.pending', op: 'lt', value: 72 }] })).toEqual(['b-pending-new']);
    expect(await matching({ all: [{ field: 'hoursSince.solved', op: 'gt', value: 96 }] })).toEqual(['c-solved']);
    expect(await matching({ all: [{ field: 'hoursSince.lastAgentReply', op: 'gt', value: 4 }, { field: 'status', op: 'is', value: 'open' }] })).toEqual(['d-open-unanswered']);
  });

  it('hoursSince with business hours: 80 real hours pending are not 72 business hours, on a weekday calendar', async () => {
    // 80 hours hold at most 80 * 8/24 + 8 business hours of a 09-17 weekday calendar: far below 72.
    expect(await matching({ all: [{ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: true }] }, BERLIN_WEEKDAYS)).toEqual([]);
    expect(await matching({ all: [{ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: false }] }, BERLIN_WEEKDAYS)).toEqual(['a-pending-old']);
    // Around the clock, business hours are real hours.
    const always: BusinessCalendar = { timezone: 'UTC', businessHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '24:00' }]])), holidays: [] };
    expect(await matching({ all: [{ field: 'hoursSince.pending', op: 'gt', value: 72, businessHours: true }] }, always)).toEqual(['a-pending-old']);
  });

  it('custom fields of every type', async () => {
    expect(await matching({ all: [{ field: 'fields.plan', op: 'is', value: 'pro' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'fields.plan', op: 'in', value: ['pro', 'free'] }] })).toEqual(['a-pending-old', 'b-pending-new']);
    expect(await matching({ all: [{ field: 'fields.plan', op: 'isNot', value: 'pro' }, { field: 'status', op: 'is', value: 'pending' }] })).toEqual(['b-pending-new']);
    expect(await matching({ all: [{ field: 'fields.seats', op: 'gt', value: 5 }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'fields.seats', op: 'lt', value: 5 }] })).toEqual(['b-pending-new']);
    expect(await matching({ all: [{ field: 'fields.renewal', op: 'lt', value: '2026-06-01' }] })).toEqual(['b-pending-new']);
    expect(await matching({ all: [{ field: 'fields.renewal', op: 'gt', value: '2026-06-01' }] })).toEqual(['c-solved']);
    expect(await matching({ all: [{ field: 'fields.vip', op: 'is', value: true }] })).toEqual(['b-pending-new']);
    expect(await matching({ all: [{ field: 'fields.vip', op: 'isNot', value: true }, { field: 'status', op: 'in', value: ['solved', 'pending'] }] })).toEqual(['a-pending-old', 'c-solved']);
    expect(await matching({ all: [{ field: 'fields.note', op: 'contains', value: 'renewal' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'fields.products', op: 'contains', value: 'chat' }] })).toEqual(['a-pending-old']);
    expect(await matching({ all: [{ field: 'fields.products', op: 'notContains', value: 'chat' }, { field: 'status', op: 'is', value: 'pending' }] })).toEqual(['b-pending-new']);
  });

  it('all and any together: every condition of all and at least one of any', async () => {
    const rule: RuleConditions = { all: [{ field: 'status', op: 'in', value: ['open', 'pending'] }], any: [{ field: 'tags', op: 'contains', value: 'vip' }, { field: 'channel', op: 'is', value: 'email' }] };
    expect(await matching(rule)).toEqual(['a-pending-old', 'b-pending-new']);
    expect(await ticketMatchesConditions(db.manager, orgId, ids['a-pending-old']!, parseRuleConditions(rule, FIELDS), { now })).toBe(true);
    expect(await ticketMatchesConditions(db.manager, orgId, ids['d-open-unanswered']!, parseRuleConditions(rule, FIELDS), { now })).toBe(false);
    // Another organization's id never matches.
    expect(await ticketMatchesConditions(db.manager, randomUUID(), ids['a-pending-old']!, parseRuleConditions(rule, FIELDS), { now })).toBe(false);
  });

  it('pending_since follows the status: set when a ticket becomes pending, cleared when it leaves', async () => {
    const id = ids['d-open-unanswered']!;
    await db.query(`UPDATE helpdesk.tickets SET status = 'pending' WHERE id = $1`, [id]);
    const [pending] = await db.query(`SELECT pending_since FROM helpdesk.tickets WHERE id = $1`, [id]);
    expect(pending.pending_since).toBeInstanceOf(Date);
    await db.query(`UPDATE helpdesk.tickets SET status = 'open' WHERE id = $1`, [id]);
    const [open] = await db.query(`SELECT pending_since FROM helpdesk.tickets WHERE id = $1`, [id]);
    expect(open.pending_since).toBeNull();
  });
});
