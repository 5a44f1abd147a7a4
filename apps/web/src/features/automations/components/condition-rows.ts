import type { RuleCondition, RuleConditionBaseField, RuleConditionOperator, TicketFieldView } from '@helpdesk/contracts';

/** The operators of each field, as the ticket service checks them (libs/contracts rule-conditions.ts; the console imports types only). */
export const FIELD_OPERATORS = {
  'hoursSince.created': ['gt', 'lt'],
  'hoursSince.updated': ['gt', 'lt'],
  'hoursSince.pending': ['gt', 'lt'],
  'hoursSince.solved': ['gt', 'lt'],
  'hoursSince.lastAgentReply': ['gt', 'lt'],
  status: ['is', 'isNot', 'in'],
  priority: ['is', 'isNot', 'in', 'gt', 'lt'],
  channel: ['is', 'isNot', 'in'],
  tags: ['contains', 'notContains', 'in'],
  teamId: ['is', 'isNot', 'in'],
  assigneeId: ['is', 'isNot', 'in'],
  'requester.email': ['is', 'isNot', 'contains', 'notContains'],
  subject: ['is', 'isNot', 'contains', 'notContains'],
} satisfies Record<RuleConditionBaseField, readonly RuleConditionOperator[]>;

export const CUSTOM_OPERATORS: Record<TicketFieldView['type'], readonly RuleConditionOperator[]> = {
  text: ['is', 'isNot', 'contains', 'notContains'],
  number: ['is', 'isNot', 'gt', 'lt'],
  date: ['is', 'isNot', 'gt', 'lt'],
  dropdown: ['is', 'isNot', 'in'],
  multiselect: ['contains', 'notContains'],
  checkbox: ['is', 'isNot'],
};

export const BASE_FIELDS = Object.keys(FIELD_OPERATORS) as RuleConditionBaseField[];

/** One line of the condition builder; which of the values counts depends on the field and op. */
export interface ConditionRow {
  key: number;
  field: string;
  op: RuleConditionOperator;
  /** One value as typed or chosen ('' is "none" for a team or assignee). */
  value: string;
  /** The values of `in`. */
  values: string[];
  hours: number | string;
  businessHours: boolean;
}

let nextKey = 1;
export const newConditionRow = (field = 'hoursSince.pending'): ConditionRow => ({
  key: nextKey++,
  field,
  op: (field.startsWith('fields.') ? 'is' : FIELD_OPERATORS[field as RuleConditionBaseField][0])!,
  value: '',
  values: [],
  hours: 72,
  businessHours: false,
});

export const isHoursSince = (field: string) => field.startsWith('hoursSince.');

export function operatorsOf(field: string, fields: readonly TicketFieldView[]): readonly RuleConditionOperator[] {
  if (field.startsWith('fields.')) {
    const definition = fields.find((candidate) => `fields.${candidate.key}` === field);
    return definition ? CUSTOM_OPERATORS[definition.type] : ['is'];
  }
  return FIELD_OPERATORS[field as RuleConditionBaseField] ?? ['is'];
}

export function rowOfCondition(condition: RuleCondition): ConditionRow {
  const row = newConditionRow(condition.field);
  const { value } = condition;
  return {
    ...row,
    op: condition.op,
    hours: typeof value === 'number' && isHoursSince(condition.field) ? value : row.hours,
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
  const definition = fields.find((candidate) => `fields.${candidate.key}` === row.field);
  if (definition?.type === 'number') return { field, op: row.op, value: Number(row.value) };
  if (definition?.type === 'checkbox') return { field, op: row.op, value: row.value === 'true' };
  return { field, op: row.op, value: row.value };
}
