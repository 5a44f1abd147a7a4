import type { MacroAction, TicketFieldView } from '@helpdesk/contracts';
import { apiValueOf, inputValueOf, type FieldInputValue } from '../../ticket-fields/utils/field-values';

/** One line of the action builder; `kind` picks which of the values counts. */
export type ActionKind = 'status' | 'priority' | 'assigneeId' | 'teamId' | 'field' | 'addTags' | 'removeTags' | 'reply' | 'note';
export interface ActionRow {
  key: number;
  kind: ActionKind;
  /** status, priority, assignee or team; '' clears an assignee or team. */
  value: string;
  tags: string[];
  body: string;
  /** kind 'field': the custom field's key, and what its input holds (converted by the field's type on save). */
  fieldKey: string;
  fieldValue: FieldInputValue;
}

export const ACTION_KINDS: ActionKind[] = ['status', 'priority', 'assigneeId', 'teamId', 'field', 'addTags', 'removeTags', 'reply', 'note'];

let nextKey = 1;
export const newRow = (kind: ActionKind = 'status'): ActionRow => ({ key: nextKey++, kind, value: kind === 'status' ? 'open' : kind === 'priority' ? 'normal' : '', tags: [], body: '', fieldKey: '', fieldValue: null });

/** A stored action as an editor row; a custom field's value is shown as its input holds it (`fields` gives the types). */
export function rowOf(action: MacroAction, fields: readonly TicketFieldView[] = []): ActionRow {
  switch (action.type) {
    case 'set':
      if (action.field.startsWith('fields.')) {
        const fieldKey = action.field.slice('fields.'.length);
        const field = fields.find((candidate) => candidate.key === fieldKey);
        return { ...newRow('field'), fieldKey, fieldValue: field ? inputValueOf(field, action.value ?? undefined) : action.value };
      }
      return action.field === 'tags' ? { ...newRow('addTags'), tags: action.value as string[] } : { ...newRow(action.field as ActionKind), value: (action.value as string | null) ?? '' };
    case 'addTags':
    case 'removeTags':
      return { ...newRow(action.type), tags: action.value };
    case 'comment':
      return { ...newRow(action.internal ? 'note' : 'reply'), body: action.body };
  }
}

/** The action to save; a custom field's input becomes the API's value by the field's type (empty clears: null). */
export function actionOf(row: ActionRow, fields: readonly TicketFieldView[] = []): MacroAction {
  switch (row.kind) {
    case 'field': {
      const field = fields.find((candidate) => candidate.key === row.fieldKey);
      return { type: 'set', field: `fields.${row.fieldKey}`, value: field ? apiValueOf(field, row.fieldValue) : row.fieldValue };
    }
    case 'status':
    case 'priority':
      return { type: 'set', field: row.kind, value: row.value };
    case 'assigneeId':
    case 'teamId':
      return { type: 'set', field: row.kind, value: row.value || null };
    case 'addTags':
    case 'removeTags':
      return { type: row.kind, value: row.tags };
    case 'reply':
    case 'note':
      return { type: 'comment', body: row.body, internal: row.kind === 'note' };
  }
}
