import type { TicketFieldValue, TicketFieldView } from '@helpdesk/contracts';

/** What a field's input holds: text ('' when empty), a number or '', the date (YYYY-MM-DD) or chosen option or null, the chosen options, a tick. */
export type FieldInputValue = string | number | boolean | string[] | null;

export function inputValueOf(field: TicketFieldView, value: TicketFieldValue | undefined): FieldInputValue {
  switch (field.type) {
    case 'multiselect':
      return Array.isArray(value) ? value : [];
    case 'checkbox':
      return value === true;
    case 'dropdown':
    case 'date':
      return typeof value === 'string' ? value : null;
    case 'number':
      return typeof value === 'number' ? value : '';
    default:
      return typeof value === 'string' ? value : '';
  }
}

/** The API's value for an input: null clears (an empty text, number, choice or list; an unticked box that had no value stays unset). */
export function apiValueOf(field: TicketFieldView, input: FieldInputValue): TicketFieldValue | null {
  if (field.type === 'checkbox') return input === true;
  if (input === null || input === '' || (Array.isArray(input) && input.length === 0)) return null;
  if (field.type === 'number') return typeof input === 'number' ? input : Number(input);
  return typeof input === 'string' ? input.trim() || null : (input as TicketFieldValue);
}

/** Only the fields the person changed, for the PATCH's `fields`. */
export function changedFieldValues(fields: readonly TicketFieldView[], current: Record<string, TicketFieldValue> | undefined, inputs: Record<string, FieldInputValue>): Record<string, TicketFieldValue | null> {
  const changes: Record<string, TicketFieldValue | null> = {};
  for (const field of fields) {
    if (!(field.key in inputs)) continue;
    const before = current?.[field.key] ?? (field.type === 'checkbox' ? false : null);
    const after = apiValueOf(field, inputs[field.key]!);
    if (JSON.stringify(before) !== JSON.stringify(after)) changes[field.key] = after;
  }
  return changes;
}
