import { OPTION_FIELD_TYPES, TICKET_FIELD_LIMITS, type TicketFieldValue } from '@helpdesk/contracts';
import { CommandError, stripToPlainText } from '@helpdesk/common';
import type { TicketField } from './ticket-field.entity.js';

export type FieldValues = Record<string, TicketFieldValue>;
type Definition = Pick<TicketField, 'key' | 'label' | 'type' | 'options' | 'active' | 'requiredToSolve'>;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as YYYY-MM-DD that exists (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function invalid(key: string, problem: string): CommandError {
  return new CommandError('VALIDATION', `fields.${key} ${problem}`, { field: key });
}

/** The stored form of one value, or a VALIDATION error naming the field. */
export function normalizeFieldValue(field: Definition, raw: unknown): TicketFieldValue {
  const { key } = field;
  switch (field.type) {
    case 'text': {
      if (typeof raw !== 'string') throw invalid(key, 'must be text');
      const text = stripToPlainText(raw);
      if (text.length > TICKET_FIELD_LIMITS.text) throw invalid(key, `must be at most ${TICKET_FIELD_LIMITS.text} characters`);
      return text;
    }
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw invalid(key, 'must be a number');
      return raw;
    case 'date':
      if (typeof raw !== 'string' || !isCalendarDate(raw)) throw invalid(key, 'must be a date as YYYY-MM-DD');
      return raw;
    case 'checkbox':
      if (typeof raw !== 'boolean') throw invalid(key, 'must be true or false');
      return raw;
    case 'dropdown':
      if (typeof raw !== 'string' || !field.options.includes(raw)) throw invalid(key, `must be one of its options: ${field.options.join(', ')}`);
      return raw;
    case 'multiselect': {
      if (!Array.isArray(raw) || raw.length > field.options.length * 2 || raw.some((item) => typeof item !== 'string')) throw invalid(key, 'must be a list of its options');
      const unknown = (raw as string[]).filter((item) => !field.options.includes(item));
      if (unknown.length > 0) throw invalid(key, `has values that are not among its options: ${unknown.join(', ')}`);
      // Stored in the options' order, without repeats, so equal selections compare equal in history and filters.
      return field.options.filter((option) => (raw as string[]).includes(option));
    }
  }
}

/**
 * The ticket's values after applying `changes` (null or an empty text or list clears a value).
 * Unknown keys (another organization's fields included) and archived fields are refused, by name.
 */
export function applyFieldChanges(current: FieldValues, changes: Record<string, unknown>, fields: readonly Definition[]): FieldValues {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const next: FieldValues = { ...current };
  for (const [key, raw] of Object.entries(changes)) {
    const field = byKey.get(key);
    if (!field) throw new CommandError('VALIDATION', `fields.${key} is not a custom field of this organization`, { field: key });
    if (!field.active) throw invalid(key, 'is archived and can no longer be set');
    const value = raw === null ? null : normalizeFieldValue(field, raw);
    if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The active required-to-solve fields without a value, by label, for the refusal message. */
export function missingToSolve(values: FieldValues, fields: readonly Definition[]): Definition[] {
  return fields.filter((field) => field.active && field.requiredToSolve && values[field.key] === undefined);
}

/** The `{ from, to }` of each field key that differs, as `fields.<key>` entries of a history row. */
export function fieldDiff(before: FieldValues, after: FieldValues): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[key] ?? null;
    const to = after[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[`fields.${key}`] = { from, to };
  }
  return changes;
}

/**
 * A `field.<key>=<text>` filter as the jsonb containment it means: the value parsed by the field's
 * type (a multiselect matches tickets whose list contains it). Served by the (organization, fields) GIN index.
 */
export function fieldFilterContainment(field: Definition, text: string): Record<string, unknown> {
  const { key } = field;
  switch (field.type) {
    case 'number': {
      const number = text.trim() === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(number)) throw new CommandError('VALIDATION', `field.${key} filters a number field: give a number`, { field: key });
      return { [key]: number };
    }
    case 'checkbox':
      if (text !== 'true' && text !== 'false') throw new CommandError('VALIDATION', `field.${key} filters a checkbox: give true or false`, { field: key });
      return { [key]: text === 'true' };
    case 'date':
      if (!isCalendarDate(text)) throw new CommandError('VALIDATION', `field.${key} filters a date field: give a date as YYYY-MM-DD`, { field: key });
      return { [key]: text };
    case 'multiselect':
      return { [key]: [text] };
    default:
      return { [key]: text };
  }
}

export const usesOptions = (type: TicketField['type']) => OPTION_FIELD_TYPES.includes(type);
