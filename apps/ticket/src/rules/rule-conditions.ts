/**
 * Rule conditions (DESIGN section 14), shared by triggers and automations. Stable API:
 *
 * - `parseRuleConditions(raw, fields)`: validates `{ all, any? }` from a request against the
 *   organization's custom field definitions; answers the normalized conditions or throws a
 *   VALIDATION CommandError naming the place (`all[2]`, `any[0]`) and the problem.
 * - `compileRuleConditions(rule, context)`: a parameterized SQL boolean over `helpdesk.tickets`
 *   (as `context.alias`, default `t`), values only ever as `$n` parameters numbered from
 *   `context.firstParam` (default 1). `now` fixes the instant hoursSince is measured from and
 *   `calendar` the organization's business hours (needed only when a condition asks for them).
 *   The caller adds `organization_id` itself: the compiled SQL never scopes by organization.
 * - `ruleStateKeySql(rule, alias)`: an SQL text expression identifying the ticket's "matching
 *   state" for the rule (the moments its hoursSince conditions measure from), which automations
 *   use to act once per state.
 * - `ticketMatchesConditions(manager, orgId, ticketId, rule, context)`: evaluates a rule against
 *   one ticket, inside the caller's transaction (so it sees the caller's uncommitted changes).
 */
import {
  CUSTOM_FIELD_CONDITION_OPERATORS,
  HOURS_SINCE_FIELDS,
  RULE_CONDITION_BASE_FIELDS,
  RULE_CONDITION_FIELD_OPERATORS,
  RULE_CONDITION_LIMITS,
  TICKET_CHANNELS,
  TICKET_FIELD_KEY_PATTERN,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  isHoursSinceField,
  type HoursSinceField,
  type RuleCondition,
  type RuleConditionOperator,
  type RuleConditions,
} from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import type { EntityManager } from 'typeorm';
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from '../sla/business-calendar.js';
import { isCalendarDate } from '../ticket-fields/ticket-field-values.js';
import type { TicketField } from '../ticket-fields/ticket-field.entity.js';

type FieldDefinition = Pick<TicketField, 'key' | 'type' | 'options'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function problem(place: string, message: string): CommandError {
  return new CommandError('VALIDATION', `${place}: ${message}`, { condition: place });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates and normalizes `{ all, any? }`; `fields` are the organization's custom field definitions (archived ones included: rules may still test old values). */
export function parseRuleConditions(raw: unknown, fields: readonly FieldDefinition[]): RuleConditions {
  if (!isPlainObject(raw)) throw new CommandError('VALIDATION', 'conditions must be an object with `all` and optionally `any`');
  const all = parseList(raw['all'] ?? [], 'all', fields);
  if (raw['any'] === undefined || raw['any'] === null) return { all };
  return { all, any: parseList(raw['any'], 'any', fields) };
}

function parseList(raw: unknown, name: 'all' | 'any', fields: readonly FieldDefinition[]): RuleCondition[] {
  if (!Array.isArray(raw)) throw new CommandError('VALIDATION', `${name} must be a list of conditions`);
  if (raw.length > RULE_CONDITION_LIMITS.conditions) throw new CommandError('VALIDATION', `${name} holds at most ${RULE_CONDITION_LIMITS.conditions} conditions`);
  return raw.map((item, index) => parseCondition(item, `${name}[${index}]`, fields));
}

function parseCondition(raw: unknown, place: string, fields: readonly FieldDefinition[]): RuleCondition {
  if (!isPlainObject(raw)) throw problem(place, 'a condition is an object { field, op, value }');
  const unknownKeys = Object.keys(raw).filter((key) => !['field', 'op', 'value', 'businessHours'].includes(key));
  if (unknownKeys.length > 0) throw problem(place, `unknown properties: ${unknownKeys.join(', ')}`);
  const { field, op, value, businessHours } = raw;
  if (typeof field !== 'string') throw problem(place, 'field is required');
  if (typeof op !== 'string') throw problem(place, 'op is required');
  const operators = operatorsOf(field, place, fields);
  if (!operators.includes(op as RuleConditionOperator)) throw problem(place, `${field} does not take op "${op}"; it takes ${operators.join(', ')}`);
  const operator = op as RuleConditionOperator;
  if (businessHours !== undefined && typeof businessHours !== 'boolean') throw problem(place, 'businessHours must be true or false');
  if (businessHours && !isHoursSinceField(field)) throw problem(place, `businessHours applies only to hoursSince fields, not ${field}`);
  const normalized = parseValue(field, operator, value, place, fields);
  return { field: field as RuleCondition['field'], op: operator, value: normalized, ...(isHoursSinceField(field) ? { businessHours: businessHours === true } : {}) };
}

function operatorsOf(field: string, place: string, fields: readonly FieldDefinition[]): readonly RuleConditionOperator[] {
  if (field.startsWith('fields.')) {
    const key = field.slice('fields.'.length);
    const definition = TICKET_FIELD_KEY_PATTERN.test(key) ? fields.find((candidate) => candidate.key === key) : undefined;
    if (!definition) throw problem(place, `${field} is not a custom field of this organization`);
    return CUSTOM_FIELD_CONDITION_OPERATORS[definition.type];
  }
  if (!(RULE_CONDITION_BASE_FIELDS as readonly string[]).includes(field)) {
    throw problem(place, `unknown field "${field}"; use one of ${RULE_CONDITION_BASE_FIELDS.join(', ')} or fields.<key>`);
  }
  return RULE_CONDITION_FIELD_OPERATORS[field as keyof typeof RULE_CONDITION_FIELD_OPERATORS];
}

function oneOf(allowed: readonly string[], value: unknown, place: string, what: string): string {
  if (typeof value !== 'string' || !allowed.includes(value)) throw problem(place, `${what} must be one of ${allowed.join(', ')}`);
  return value;
}

function listOf<T>(value: unknown, place: string, what: string, item: (entry: unknown) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) throw problem(place, `${what} with op "in" takes a non-empty list`);
  if (value.length > RULE_CONDITION_LIMITS.values) throw problem(place, `${what} takes at most ${RULE_CONDITION_LIMITS.values} values`);
  return [...new Set(value.map(item))];
}

function text(value: unknown, place: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw problem(place, `${what} takes a non-empty text value`);
  if (value.length > RULE_CONDITION_LIMITS.text) throw problem(place, `${what} takes at most ${RULE_CONDITION_LIMITS.text} characters`);
  return value.trim();
}

function uuidOrNull(value: unknown, place: string, what: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !UUID.test(value)) throw problem(place, `${what} takes a UUID or null`);
  return value.toLowerCase();
}

function parseValue(field: string, op: RuleConditionOperator, value: unknown, place: string, fields: readonly FieldDefinition[]): RuleCondition['value'] {
  const enumerated = ({ status: TICKET_STATUSES, priority: TICKET_PRIORITIES, channel: TICKET_CHANNELS } as Record<string, readonly string[]>)[field];
  if (enumerated) return op === 'in' ? listOf(value, place, field, (entry) => oneOf(enumerated, entry, place, `${field} values`)) : oneOf(enumerated, value, place, field);
  if (isHoursSinceField(field)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > RULE_CONDITION_LIMITS.hours) {
      throw problem(place, `${field} takes a number of hours above 0 and at most ${RULE_CONDITION_LIMITS.hours}`);
    }
    return value;
  }
  switch (field) {
    case 'tags':
      return op === 'in' ? listOf(value, place, 'tags', (entry) => text(entry, place, 'tags').toLowerCase()) : text(value, place, 'tags').toLowerCase();
    case 'teamId':
    case 'assigneeId':
      return op === 'in' ? listOf(value, place, field, (entry) => uuidOrNull(entry, place, field) ?? invalidNull(place, field)) : uuidOrNull(value, place, field);
    case 'requester.email':
    case 'subject':
      return text(value, place, field);
  }
  const key = field.slice('fields.'.length);
  const definition = fields.find((candidate) => candidate.key === key)!;
  switch (definition.type) {
    case 'text':
      return text(value, place, field);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw problem(place, `${field} takes a number`);
      return value;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) throw problem(place, `${field} takes a date as YYYY-MM-DD`);
      return value;
    case 'checkbox':
      if (typeof value !== 'boolean') throw problem(place, `${field} takes true or false`);
      return value;
    case 'dropdown':
    case 'multiselect': {
      const option = (entry: unknown) => oneOf(definition.options, entry, place, `${field} values`);
      return op === 'in' ? listOf(value, place, field, option) : option(value);
    }
  }
}

function invalidNull(place: string, field: string): never {
  throw problem(place, `${field} with op "in" takes UUIDs (use op "is" with null for "none")`);
}

// --- Compiling to SQL ---------------------------------------------------------------------------

export interface ConditionContext {
  /** The instant hoursSince conditions are measured from. */
  now: Date;
  /** The organization's business calendar; required when a condition has `businessHours: true`. */
  calendar?: BusinessCalendar;
  /** The tickets table's alias in the caller's query; default `t`. */
  alias?: string;
  /** The number of the first `$n` placeholder the compiled SQL uses; default 1. */
  firstParam?: number;
}

export interface CompiledConditions {
  /** A boolean SQL expression over the tickets row (never scoped by organization: the caller does that). */
  sql: string;
  params: unknown[];
}

const ALIAS = /^[a-z_][a-z0-9_]*$/;

/** The column (or expression) each hoursSince field measures from; each is served by an index per organization. */
export function hoursSinceColumn(field: HoursSinceField, alias = 't'): string {
  switch (field) {
    case 'hoursSince.created':
      return `${alias}.created_at`;
    case 'hoursSince.updated':
      return `${alias}.updated_at`;
    case 'hoursSince.pending':
      return `${alias}.pending_since`;
    case 'hoursSince.solved':
      return `${alias}.resolved_at`;
    case 'hoursSince.lastAgentReply':
      // Matches the expression index tickets_last_agent_reply_idx: an unanswered ticket counts from its creation.
      return `COALESCE(${alias}.last_agent_reply_at, ${alias}.created_at)`;
  }
}

/**
 * The instant before `now` at which exactly `hours` of business time remain until `now`, or null
 * when the calendar holds less business time than that in the searched past (ten years).
 * businessMinutesBetween grows as the start moves back, so a bisection finds it to the second.
 */
export function businessHoursAgo(now: Date, hours: number, calendar: BusinessCalendar): Date | null {
  const target = hours * 60;
  const nowMs = now.getTime();
  const limitMs = 10 * 366 * 86_400_000;
  let spanMs = hours * 3_600_000;
  while (businessMinutesBetween(new Date(nowMs - spanMs), now, calendar) < target) {
    if (spanMs >= limitMs) return null;
    spanMs = Math.min(spanMs * 2, limitMs);
  }
  let earliest = nowMs - spanMs;
  let latest = nowMs - hours * 3_600_000;
  while (latest - earliest > 1_000) {
    const middle = Math.floor((earliest + latest) / 2);
    if (businessMinutesBetween(new Date(middle), now, calendar) >= target) earliest = middle;
    else latest = middle;
  }
  // Snap to the exact instant: the business time beyond the target, walked forward from the bracket
  // (in closed hours this lands on the next opening, the latest instant still `hours` away).
  const surplus = businessMinutesBetween(new Date(earliest), now, calendar) - target;
  return addBusinessMinutes(new Date(earliest), Math.max(0, surplus), calendar);
}

/** Compiles conditions to one parameterized boolean expression (see the file's header). */
export function compileRuleConditions(rule: RuleConditions, context: ConditionContext): CompiledConditions {
  const alias = context.alias ?? 't';
  if (!ALIAS.test(alias)) throw new Error(`Invalid table alias "${alias}"`);
  const params: unknown[] = [];
  const first = context.firstParam ?? 1;
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const one = (condition: RuleCondition) => compileCondition(condition, alias, bind, context);
  const parts = rule.all.map(one);
  if (rule.any && rule.any.length > 0) parts.push(`(${rule.any.map(one).join(' OR ')})`);
  return { sql: parts.length > 0 ? parts.map((part) => `(${part})`).join(' AND ') : 'TRUE', params };
}

type Bind = (value: unknown) => string;

function compileCondition(condition: RuleCondition, alias: string, bind: Bind, context: ConditionContext): string {
  const { field, op, value } = condition;
  if (isHoursSinceField(field)) return compileHoursSince(field, op, value as number, condition.businessHours === true, alias, bind, context);
  switch (field) {
    case 'status':
    case 'priority':
    case 'channel':
      if (field === 'priority' && (op === 'gt' || op === 'lt')) {
        const rank = (TICKET_PRIORITIES as readonly string[]).indexOf(value as string) + 1;
        return `array_position(ARRAY['low', 'normal', 'high', 'urgent'], ${alias}.priority) ${op === 'gt' ? '>' : '<'} ${bind(rank)}`;
      }
      return compileEquality(`${alias}.${field}`, op, value, bind, 'text');
    case 'teamId':
    case 'assigneeId': {
      const column = `${alias}.${field === 'teamId' ? 'team_id' : 'assignee_id'}`;
      if (value === null) return op === 'is' ? `${column} IS NULL` : `${column} IS NOT NULL`;
      return compileEquality(column, op, value, bind, 'uuid');
    }
    case 'tags':
      // Tags are stored lowercase; @> and && are served by the GIN index on tags.
      if (op === 'in') return `${alias}.tags && CAST(${bind(value)} AS text[])`;
      return `${op === 'notContains' ? 'NOT ' : ''}(${alias}.tags @> ARRAY[CAST(${bind(value)} AS text)])`;
    case 'subject':
      return compileText(`${alias}.subject`, op, value as string, bind);
    case 'requester.email': {
      const test = compileText('requester.email', op === 'isNot' ? 'is' : op === 'notContains' ? 'contains' : op, value as string, bind);
      const exists = `EXISTS (SELECT 1 FROM helpdesk.users requester WHERE requester.id = ${alias}.requester_id AND ${test})`;
      return op === 'isNot' || op === 'notContains' ? `NOT ${exists}` : exists;
    }
  }
  return compileCustomField(field.slice('fields.'.length), op, value, alias, bind);
}

function compileEquality(column: string, op: RuleConditionOperator, value: unknown, bind: Bind, type: 'text' | 'uuid'): string {
  if (op === 'in') return `${column} = ANY(CAST(${bind(value)} AS ${type}[]))`;
  // IS DISTINCT FROM: "team is not X" holds for tickets without a team.
  return op === 'is' ? `${column} = CAST(${bind(value)} AS ${type})` : `${column} IS DISTINCT FROM CAST(${bind(value)} AS ${type})`;
}

/** Case-insensitive; `contains` is a plain substring test (no LIKE pattern characters to escape). */
function compileText(column: string, op: RuleConditionOperator, value: string, bind: Bind): string {
  const needle = bind(value.toLowerCase());
  switch (op) {
    case 'is':
      return `lower(${column}) = ${needle}`;
    case 'isNot':
      return `lower(${column}) <> ${needle}`;
    case 'contains':
      return `strpos(lower(${column}), ${needle}) > 0`;
    default:
      return `strpos(lower(${column}), ${needle}) = 0`;
  }
}

function compileHoursSince(field: HoursSinceField, op: RuleConditionOperator, hours: number, businessHours: boolean, alias: string, bind: Bind, context: ConditionContext): string {
  const column = hoursSinceColumn(field, alias);
  let threshold: Date | null;
  if (businessHours) {
    if (!context.calendar) throw new Error(`${field} counts business hours but no calendar was given`);
    threshold = businessHoursAgo(context.now, hours, context.calendar);
  } else {
    threshold = new Date(context.now.getTime() - hours * 3_600_000);
  }
  // The moment is compared with a bound instant, so the per-organization index on it is used.
  if (op === 'gt') return threshold ? `${column} <= CAST(${bind(threshold.toISOString())} AS timestamptz)` : 'FALSE';
  return threshold ? `${column} > CAST(${bind(threshold.toISOString())} AS timestamptz)` : `${column} IS NOT NULL`;
}

function compileCustomField(key: string, op: RuleConditionOperator, value: unknown, alias: string, bind: Bind): string {
  const column = `${alias}.fields`;
  switch (op) {
    case 'is':
      // Containment is served by the (organization_id, fields) GIN index.
      return `${column} @> CAST(${bind(JSON.stringify({ [key]: value }))} AS jsonb)`;
    case 'isNot':
      return `NOT (${column} @> CAST(${bind(JSON.stringify({ [key]: value }))} AS jsonb))`;
    case 'contains':
    case 'notContains': {
      // A multiselect (a JSON list) contains an option; a text field contains a substring. CASE keeps each
      // test to its own JSON type, so the condition needs no field definitions to compile.
      const keyParam = bind(key);
      const needle = bind(String(value));
      const test = `CASE jsonb_typeof(${column} -> ${keyParam}) WHEN 'array' THEN (${column} -> ${keyParam}) @> jsonb_build_array(CAST(${needle} AS text)) WHEN 'string' THEN strpos(lower(${column} ->> ${keyParam}), lower(CAST(${needle} AS text))) > 0 ELSE FALSE END`;
      return op === 'contains' ? test : `NOT (${test})`;
    }
    case 'in':
      return `${column} ->> ${bind(key)} = ANY(CAST(${bind(value)} AS text[]))`;
    case 'gt':
    case 'lt': {
      const compare = op === 'gt' ? '>' : '<';
      const keyParam = bind(key);
      if (typeof value === 'number') {
        // CASE keeps the cast away from a value of another JSON type (PostgreSQL does not short-circuit AND).
        return `CASE WHEN jsonb_typeof(${column} -> ${keyParam}) = 'number' THEN CAST(${column} ->> ${keyParam} AS numeric) ${compare} ${bind(value)} ELSE FALSE END`;
      }
      // Dates are stored as YYYY-MM-DD, whose text order is the calendar's.
      return `(${column} ->> ${keyParam}) COLLATE "C" ${compare} CAST(${bind(value)} AS text)`;
    }
  }
}

/** Evaluates `rule` against one ticket of `orgId` inside the caller's transaction. */
export async function ticketMatchesConditions(manager: EntityManager, orgId: string, ticketId: string, rule: RuleConditions, context: Omit<ConditionContext, 'alias' | 'firstParam'>): Promise<boolean> {
  const compiled = compileRuleConditions(rule, { ...context, alias: 't', firstParam: 3 });
  const rows: unknown[] = await manager.query(`SELECT 1 FROM helpdesk.tickets t WHERE t.organization_id = $1 AND t.id = $2 AND (${compiled.sql})`, [orgId, ticketId, ...compiled.params]);
  return rows.length > 0;
}

/**
 * The ticket's matching state for a rule: the moments its hoursSince conditions measure from (the
 * creation time when it has none). Acting once per (automation, ticket, state) means a ticket that
 * leaves pending and comes back is acted on again, but one that stays pending is acted on once.
 */
export function ruleStateKeySql(rule: RuleConditions, alias = 't'): string {
  if (!ALIAS.test(alias)) throw new Error(`Invalid table alias "${alias}"`);
  const used = HOURS_SINCE_FIELDS.filter((field) => [...rule.all, ...(rule.any ?? [])].some((condition) => condition.field === field));
  const moments = (used.length > 0 ? used : (['hoursSince.created'] as const)).map((field) => `COALESCE(to_char(${hoursSinceColumn(field, alias)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '-')`);
  return moments.join(` || '|' || `);
}
