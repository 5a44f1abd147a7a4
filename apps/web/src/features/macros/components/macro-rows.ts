import type { MacroAction } from '@helpdesk/contracts';

/** One line of the action builder; `kind` picks which of the values counts. */
export type ActionKind = 'status' | 'priority' | 'assigneeId' | 'teamId' | 'addTags' | 'removeTags' | 'reply' | 'note';
export interface ActionRow {
  key: number;
  kind: ActionKind;
  /** status, priority, assignee or team; '' clears an assignee or team. */
  value: string;
  tags: string[];
  body: string;
}

export const ACTION_KINDS: ActionKind[] = ['status', 'priority', 'assigneeId', 'teamId', 'addTags', 'removeTags', 'reply', 'note'];

let nextKey = 1;
export const newRow = (kind: ActionKind = 'status'): ActionRow => ({ key: nextKey++, kind, value: kind === 'status' ? 'open' : kind === 'priority' ? 'normal' : '', tags: [], body: '' });

export function rowOf(action: MacroAction): ActionRow {
  switch (action.type) {
    case 'set':
      return action.field === 'tags' ? { ...newRow('addTags'), tags: action.value as string[] } : { ...newRow(action.field), value: (action.value as string | null) ?? '' };
    case 'addTags':
    case 'removeTags':
      return { ...newRow(action.type), tags: action.value };
    case 'comment':
      return { ...newRow(action.internal ? 'note' : 'reply'), body: action.body };
  }
}

export function actionOf(row: ActionRow): MacroAction {
  switch (row.kind) {
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
