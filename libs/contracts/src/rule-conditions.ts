/**
 * Conditions of triggers and automations (DESIGN section 14), shared by the API, the console and
 * the ticket service. A rule matches a ticket when every condition of `all` holds and, when `any`
 * is present and not empty, at least one of `any` holds.
 */
export const RULE_CONDITION_OPERATORS = ['is', 'isNot', 'in', 'contains', 'notContains', 'gt', 'lt'] as const;
export type RuleConditionOperator = (typeof RULE_CONDITION_OPERATORS)[number];

/** Hours elapsed since one of the ticket's moments; `lastAgentReply` counts from creation while no agent has answered publicly. */
export const HOURS_SINCE_FIELDS = ['hoursSince.created', 'hoursSince.updated', 'hoursSince.pending', 'hoursSince.solved', 'hoursSince.lastAgentReply'] as const;
export type HoursSinceField = (typeof HOURS_SINCE_FIELDS)[number];

export const RULE_CONDITION_BASE_FIELDS = ['status', 'priority', 'channel', 'tags', 'teamId', 'assigneeId', 'requester.email', 'subject', ...HOURS_SINCE_FIELDS] as const;
export type RuleConditionBaseField = (typeof RULE_CONDITION_BASE_FIELDS)[number];
/** A base field, or `fields.<key>` for one of the organization's custom fields. */
export type RuleConditionField = RuleConditionBaseField | `fields.${string}`;

/** The operators each base field accepts; custom fields take theirs from their type (CUSTOM_FIELD_CONDITION_OPERATORS). */
export const RULE_CONDITION_FIELD_OPERATORS: Readonly<Record<RuleConditionBaseField, readonly RuleConditionOperator[]>> = {
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

/** Operators per custom field type (keys of TICKET_FIELD_TYPES). */
export const CUSTOM_FIELD_CONDITION_OPERATORS: Readonly<Record<'text' | 'number' | 'date' | 'dropdown' | 'multiselect' | 'checkbox', readonly RuleConditionOperator[]>> = {
  text: ['is', 'isNot', 'contains', 'notContains'],
  number: ['is', 'isNot', 'gt', 'lt'],
  date: ['is', 'isNot', 'gt', 'lt'],
  dropdown: ['is', 'isNot', 'in'],
  multiselect: ['contains', 'notContains'],
  checkbox: ['is', 'isNot'],
};

export const RULE_CONDITION_LIMITS = {
  /** Conditions in `all` and in `any`, each. */
  conditions: 20,
  /** Values of an `in` list. */
  values: 100,
  /** Characters of a text value. */
  text: 500,
  /** The longest span an hoursSince condition may name: ten years. */
  hours: 87_600,
} as const;

/**
 * One condition. Values by field:
 * - status, priority, channel: one of the field's values (`in`: a list). priority `gt`/`lt` compare by urgency (low < normal < high < urgent).
 * - tags: a tag (`contains`/`notContains`), or a list with `in` (has at least one of them).
 * - teamId, assigneeId: a UUID or null (null: none), `in`: a list of UUIDs.
 * - requester.email, subject: text; `is` compares case-insensitively, `contains` finds a substring.
 * - hoursSince.*: a number of hours (> 0, fractions allowed); `gt` "more than", `lt` "less than".
 *   `businessHours: true` counts only the organization's business hours (time zone, weekly schedule,
 *   holidays); the flag is refused on any other field.
 * - fields.<key>: a value of that field's type (see CUSTOM_FIELD_CONDITION_OPERATORS).
 */
export interface RuleCondition {
  field: RuleConditionField;
  op: RuleConditionOperator;
  value: string | number | boolean | null | string[];
  businessHours?: boolean;
}

export interface RuleConditions {
  all: RuleCondition[];
  any?: RuleCondition[];
}

export function isHoursSinceField(field: string): field is HoursSinceField {
  return (HOURS_SINCE_FIELDS as readonly string[]).includes(field);
}
