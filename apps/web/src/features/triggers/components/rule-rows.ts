import type { RuleAction, RuleCondition, RuleConditionOperator, TriggerEvent } from '@helpdesk/contracts';
import { actionOf as macroActionOf, newRow as newMacroRow, rowOf as macroRowOf, type ActionKind as MacroActionKind, type ActionRow as MacroActionRow } from '../../macros/components/macro-rows';

// The console imports only types from @helpdesk/contracts: these lists repeat its constants (rule-conditions.ts, triggers.ts).
export const TRIGGER_EVENTS: TriggerEvent[] = ['ticket.created', 'ticket.updated', 'comment.customer', 'comment.agent', 'ticket.sla.warning', 'ticket.sla.breached'];
export const CONDITION_FIELDS = ['status', 'priority', 'channel', 'tags', 'teamId', 'assigneeId', 'requester.email', 'subject', 'hoursSince.created', 'hoursSince.updated', 'hoursSince.pending', 'hoursSince.solved', 'hoursSince.lastAgentReply'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];
export const FIELD_OPERATORS: Record<ConditionField, RuleConditionOperator[]> = {
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
};
export const CHANNELS = ['web', 'email', 'api', 'phone', 'chat'];

/** One line of the condition builder: `value` for one value ('' is "none" for team and assignee), `values` for `in`. */
export interface ConditionRow {
  key: number;
  field: ConditionField;
  op: RuleConditionOperator;
  value: string;
  values: string[];
  businessHours: boolean;
}

let nextKey = 1;
export const isHoursField = (field: string) => field.startsWith('hoursSince.');

export function newCondition(field: ConditionField = 'status'): ConditionRow {
  const op = FIELD_OPERATORS[field][0]!;
  return { key: nextKey++, field, op, value: field === 'status' ? 'open' : field === 'priority' ? 'normal' : field === 'channel' ? 'email' : isHoursField(field) ? '24' : '', values: [], businessHours: false };
}

export function conditionRowOf(condition: RuleCondition): ConditionRow {
  const field = (CONDITION_FIELDS as readonly string[]).includes(condition.field) ? (condition.field as ConditionField) : 'subject';
  const list = Array.isArray(condition.value);
  return {
    key: nextKey++,
    field,
    op: condition.op,
    value: list ? '' : condition.value === null ? '' : String(condition.value),
    values: list ? (condition.value as string[]) : [],
    businessHours: condition.businessHours === true,
  };
}

export function conditionOf(row: ConditionRow): RuleCondition {
  if (row.op === 'in') return { field: row.field, op: row.op, value: row.values };
  if (isHoursField(row.field)) return { field: row.field, op: row.op, value: Number(row.value), businessHours: row.businessHours };
  if (row.field === 'teamId' || row.field === 'assigneeId') return { field: row.field, op: row.op, value: row.value || null };
  return { field: row.field, op: row.op, value: row.value };
}

/** The macro's action kinds plus notify. */
export type RuleActionKind = MacroActionKind | 'notify';
export const RULE_ACTION_KINDS: RuleActionKind[] = ['status', 'priority', 'assigneeId', 'teamId', 'addTags', 'removeTags', 'reply', 'note', 'notify'];
export const NOTIFY_TARGETS = ['assignee', 'team', 'requester', 'address'] as const;
export type NotifyTarget = (typeof NOTIFY_TARGETS)[number];

export interface RuleActionRow extends Omit<MacroActionRow, 'kind'> {
  kind: RuleActionKind;
  to: NotifyTarget;
  address: string;
  subject: string;
}

export function newAction(kind: RuleActionKind = 'addTags'): RuleActionRow {
  const base = kind === 'notify' ? newMacroRow('note') : newMacroRow(kind);
  return { ...base, kind, to: 'assignee', address: '', subject: '' };
}

export function actionRowOf(action: RuleAction): RuleActionRow {
  if (action.type === 'notify') {
    const named = (['assignee', 'team', 'requester'] as string[]).includes(action.to);
    return { ...newAction('notify'), to: named ? (action.to as NotifyTarget) : 'address', address: named ? '' : action.to, subject: action.subject, body: action.body };
  }
  // Webhook actions cannot be saved yet (they arrive with the integrations work), so none is ever read back.
  if (action.type === 'webhook') return newAction('notify');
  return { ...macroRowOf(action), to: 'assignee', address: '', subject: '' };
}

export function ruleActionOf(row: RuleActionRow): RuleAction {
  if (row.kind === 'notify') return { type: 'notify', to: row.to === 'address' ? row.address.trim() : row.to, subject: row.subject, body: row.body };
  return macroActionOf({ ...row, kind: row.kind });
}
