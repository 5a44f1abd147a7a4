import type { RuleAction, RuleCondition, RuleConditionBaseField, RuleConditionOperator, TicketChannel, TicketFieldType, TicketFieldView, TriggerEvent } from '@helpdesk/contracts';
import { actionOf as macroActionOf, newRow as newMacroRow, rowOf as macroRowOf, type ActionKind as MacroActionKind, type ActionRow as MacroActionRow } from '../../macros/components/macro-rows';

/*
 * The rule builders' vocabulary, shared by triggers and automations. The console may import only
 * types from @helpdesk/contracts (vite.config.ts refuses values), so these repeat its constants: the
 * Record types make a missing or unknown key a compile error, and rule-rows.test.ts compares every
 * list with the contract's own.
 */
export const CONDITION_OPERATORS = {
  status: ['is', 'isNot', 'in'],
  priority: ['is', 'isNot', 'in', 'gt', 'lt'],
  channel: ['is', 'isNot', 'in'],
  tags: ['contains', 'notContains', 'in'],
  teamId: ['is', 'isNot', 'in'],
  assigneeId: ['is', 'isNot', 'in'],
  'requester.email': ['is', 'isNot', 'contains', 'notContains'],
  subject: ['is', 'isNot', 'contains', 'notContains'],
  'hoursSince.created': ['gt', 'lt'],
  'hoursSince.updated': ['gt', 'lt'],
  'hoursSince.pending': ['gt', 'lt'],
  'hoursSince.solved': ['gt', 'lt'],
  'hoursSince.lastAgentReply': ['gt', 'lt'],
} satisfies Record<RuleConditionBaseField, readonly RuleConditionOperator[]>;

export const CUSTOM_FIELD_OPERATORS = {
  text: ['is', 'isNot', 'contains', 'notContains'],
  number: ['is', 'isNot', 'gt', 'lt'],
  date: ['is', 'isNot', 'gt', 'lt'],
  dropdown: ['is', 'isNot', 'in'],
  multiselect: ['contains', 'notContains'],
  checkbox: ['is', 'isNot'],
} satisfies Record<TicketFieldType, readonly RuleConditionOperator[]>;

export const BASE_FIELDS = Object.keys(CONDITION_OPERATORS) as RuleConditionBaseField[];

const TRIGGER_EVENT_SET = { 'ticket.created': true, 'ticket.updated': true, 'comment.customer': true, 'comment.agent': true, 'ticket.sla.warning': true, 'ticket.sla.breached': true } satisfies Record<TriggerEvent, true>;
export const TRIGGER_EVENTS = Object.keys(TRIGGER_EVENT_SET) as TriggerEvent[];

const CHANNEL_SET = { web: true, email: true, api: true, phone: true, chat: true } satisfies Record<TicketChannel, true>;
export const CHANNELS = Object.keys(CHANNEL_SET) as TicketChannel[];

/** One line of the condition builder; which of the values counts depends on the field and op. */
export interface ConditionRow {
  key: number;
  /** A base field or `fields.<key>`. */
  field: string;
  op: RuleConditionOperator;
  /** One value as typed or chosen ('' is "none" for a team or assignee). */
  value: string;
  /** The values of `in`. */
  values: string[];
  /** hoursSince.* only, with the business-hours switch. */
  hours: number | string;
  businessHours: boolean;
}

export const isHoursSince = (field: string) => field.startsWith('hoursSince.');
const customFieldOf = (field: string, fields: readonly TicketFieldView[]) => fields.find((candidate) => `fields.${candidate.key}` === field);
/** A fixed-choice field starts on a common value, so a new row is already a valid condition. */
const STARTING_VALUES: Partial<Record<RuleConditionBaseField, string>> = { status: 'open', priority: 'normal', channel: 'email' };

let nextKey = 1;
export function newConditionRow(field: string, fields: readonly TicketFieldView[] = []): ConditionRow {
  return { key: nextKey++, field, op: operatorsOf(field, fields)[0]!, value: STARTING_VALUES[field as RuleConditionBaseField] ?? '', values: [], hours: 72, businessHours: false };
}

/** The operators a field accepts, a custom field's by its type (an unknown one: `is`, and the server names the problem). */
export function operatorsOf(field: string, fields: readonly TicketFieldView[]): readonly RuleConditionOperator[] {
  if (field.startsWith('fields.')) {
    const definition = customFieldOf(field, fields);
    return definition ? CUSTOM_FIELD_OPERATORS[definition.type] : ['is'];
  }
  return CONDITION_OPERATORS[field as RuleConditionBaseField] ?? ['is'];
}

export function rowOfCondition(condition: RuleCondition): ConditionRow {
  const { value } = condition;
  return {
    ...newConditionRow(condition.field),
    op: condition.op,
    hours: typeof value === 'number' && isHoursSince(condition.field) ? value : 72,
    businessHours: condition.businessHours === true,
    values: Array.isArray(value) ? value : [],
    value: Array.isArray(value) || value === null ? '' : String(value),
  };
}

/** The condition the server expects; values typed per field (the server still checks every one). */
export function conditionOf(row: ConditionRow, fields: readonly TicketFieldView[]): RuleCondition {
  const field = row.field as RuleCondition['field'];
  if (isHoursSince(row.field)) return { field, op: row.op, value: Number(row.hours), businessHours: row.businessHours };
  if (row.op === 'in') return { field, op: row.op, value: row.values };
  if (row.field === 'teamId' || row.field === 'assigneeId') return { field, op: row.op, value: row.value || null };
  const definition = customFieldOf(row.field, fields);
  if (definition?.type === 'number') return { field, op: row.op, value: Number(row.value) };
  if (definition?.type === 'checkbox') return { field, op: row.op, value: row.value === 'true' };
  return { field, op: row.op, value: row.value };
}

/** A macro's action kinds plus notify and webhook. */
export type RuleActionKind = MacroActionKind | 'notify' | 'webhook';
export const RULE_ACTION_KINDS: RuleActionKind[] = ['status', 'priority', 'assigneeId', 'teamId', 'field', 'addTags', 'removeTags', 'reply', 'note', 'notify', 'webhook'];
export const NOTIFY_TARGETS = ['assignee', 'team', 'requester', 'address'] as const;
export type NotifyTarget = (typeof NOTIFY_TARGETS)[number];

/** A macro's action row, plus the recipient and subject of a notification and the webhook of a webhook action. */
export interface RuleActionRow extends Omit<MacroActionRow, 'kind'> {
  kind: RuleActionKind;
  to: NotifyTarget;
  address: string;
  subject: string;
  webhookId: string;
}

export function newRuleAction(kind: RuleActionKind = 'addTags'): RuleActionRow {
  const base = kind === 'notify' || kind === 'webhook' ? newMacroRow('note') : newMacroRow(kind);
  return { ...base, kind, to: 'assignee', address: '', subject: '', webhookId: '' };
}

/** A stored action as a builder row; `fields` gives a custom field's type, to show its value as its input holds it. */
export function ruleActionRowOf(action: RuleAction, fields: readonly TicketFieldView[] = []): RuleActionRow {
  if (action.type === 'notify') {
    const named = (['assignee', 'team', 'requester'] as string[]).includes(action.to);
    return { ...newRuleAction('notify'), to: named ? (action.to as NotifyTarget) : 'address', address: named ? '' : action.to, subject: action.subject, body: action.body };
  }
  if (action.type === 'webhook') return { ...newRuleAction('webhook'), webhookId: action.webhookId };
  return { ...macroRowOf(action, fields), to: 'assignee', address: '', subject: '', webhookId: '' };
}

export function ruleActionOf(row: RuleActionRow, fields: readonly TicketFieldView[] = []): RuleAction {
  if (row.kind === 'notify') return { type: 'notify', to: row.to === 'address' ? row.address.trim() : row.to, subject: row.subject, body: row.body };
  if (row.kind === 'webhook') return { type: 'webhook', webhookId: row.webhookId };
  return macroActionOf({ ...row, kind: row.kind }, fields);
}
