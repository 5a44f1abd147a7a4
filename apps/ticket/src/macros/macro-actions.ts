import {
  MACRO_ACTION_TYPES,
  MACRO_SET_FIELDS,
  TICKET_FIELD_KEY_PATTERN,
  TICKET_FIELD_LIMITS,
  TICKET_LIMITS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type MacroAction,
  type MacroFieldSetAction,
  type MacroSetField,
  type TicketChanges,
  type TicketFieldValue,
} from '@helpdesk/contracts';
import { CommandError, stripToPlainText } from '@helpdesk/common';
import type { TicketField } from '../ticket-fields/ticket-field.entity.js';
import { normalizeFieldValue } from '../ticket-fields/ticket-field-values.js';
import { normalizeTags } from '../tickets/tickets.service.js';
import { checkedTemplate } from './template.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALLOWED_KEYS: Record<(typeof MACRO_ACTION_TYPES)[number], readonly string[]> = {
  set: ['type', 'field', 'value'],
  addTags: ['type', 'value'],
  removeTags: ['type', 'value'],
  comment: ['type', 'body', 'internal'],
};

function invalid(index: number, problem: string): CommandError {
  return new CommandError('VALIDATION', `actions[${index}]: ${problem}`, { action: index });
}

function tagList(value: unknown, index: number): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > TICKET_LIMITS.tags || !value.every((tag) => typeof tag === 'string')) {
    throw invalid(index, `value must be a list of 1 to ${TICKET_LIMITS.tags} tags`);
  }
  const tags = normalizeTags(value as string[]);
  if (tags.length === 0) throw invalid(index, 'value must hold at least one tag with text');
  return tags;
}

const isFieldValue = (value: unknown): value is TicketFieldValue | null =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (Array.isArray(value) && value.every((item) => typeof item === 'string'));

/**
 * `set fields.<key>`: the key's and the value's shape only. Whether the organization has that field and
 * the value suits its type needs the definitions: checkedFieldActions, which the service calls on save.
 */
function customFieldAction(field: string, value: unknown, index: number): MacroFieldSetAction {
  const key = field.slice('fields.'.length);
  if (!TICKET_FIELD_KEY_PATTERN.test(key) || key.length > TICKET_FIELD_LIMITS.key) throw invalid(index, `${field} is not a custom field key (fields.<key>, a lowercase slug)`);
  if (!isFieldValue(value)) throw invalid(index, `${field} needs a text, number, true/false or list of options, or null to clear it`);
  return { type: 'set', field: `fields.${key}`, value };
}

/** The key a `set` action targets when it sets a custom field, else undefined. */
export function customFieldKey(action: MacroAction): string | undefined {
  return action.type === 'set' && action.field.startsWith('fields.') ? action.field.slice('fields.'.length) : undefined;
}

type FieldDefinition = Pick<TicketField, 'key' | 'label' | 'type' | 'options' | 'active' | 'requiredToSolve'>;

/**
 * The actions with every `fields.<key>` value checked against the organization's field definitions and
 * stored as the field's type stores it (the same rules as a ticket update: ticket-field-values.ts). An
 * unknown or archived key, or a value its type refuses, is a VALIDATION error naming the action; null clears.
 */
export function checkedFieldActions(actions: readonly MacroAction[], definitions: readonly FieldDefinition[]): MacroAction[] {
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  return actions.map((action, index) => {
    const key = customFieldKey(action);
    if (key === undefined || action.type !== 'set') return action;
    const definition = byKey.get(key);
    if (!definition) throw invalid(index, `fields.${key} is not a custom field of this organization`);
    if (!definition.active) throw invalid(index, `fields.${key} is archived and can no longer be set`);
    if (action.value === null) return action;
    try {
      return { type: 'set', field: `fields.${key}`, value: normalizeFieldValue(definition, action.value) };
    } catch (error) {
      if (error instanceof CommandError) throw invalid(index, error.message);
      throw error;
    }
  });
}

function setAction(raw: Record<string, unknown>, index: number): MacroAction {
  const field = raw.field;
  if (typeof field === 'string' && field.startsWith('fields.')) return customFieldAction(field, raw.value, index);
  if (!(MACRO_SET_FIELDS as readonly unknown[]).includes(field)) throw invalid(index, `field must be one of ${MACRO_SET_FIELDS.join(', ')}, or fields.<key> for a custom field`);
  const value = raw.value;
  switch (field as MacroSetField) {
    case 'status':
      if (!(TICKET_STATUSES as readonly unknown[]).includes(value)) throw invalid(index, `status must be one of ${TICKET_STATUSES.join(', ')}`);
      return { type: 'set', field: 'status', value: value as string };
    case 'priority':
      if (!(TICKET_PRIORITIES as readonly unknown[]).includes(value)) throw invalid(index, `priority must be one of ${TICKET_PRIORITIES.join(', ')}`);
      return { type: 'set', field: 'priority', value: value as string };
    case 'assigneeId':
    case 'teamId':
      if (value !== null && !(typeof value === 'string' && UUID.test(value))) throw invalid(index, `${field as string} must be a UUID, or null to clear it`);
      return { type: 'set', field: field as 'assigneeId' | 'teamId', value: value === null ? null : (value as string).toLowerCase() };
    case 'tags':
      if (!Array.isArray(value) || value.length > TICKET_LIMITS.tags || !value.every((tag) => typeof tag === 'string')) throw invalid(index, `tags must be a list of at most ${TICKET_LIMITS.tags} tags`);
      return { type: 'set', field: 'tags', value: normalizeTags(value as string[]) };
  }
}

/**
 * One action as stored, from what a client sent, named `actions[index]` in errors. Checks the action
 * alone; rules across actions (at most one comment, no field set twice) are parseMacroActions'.
 * Workflow rules (rules/rule-actions.ts) parse their macro-like actions through here.
 */
export function parseMacroAction(action: Record<string, unknown>, index: number): MacroAction {
  const type = action.type;
  if (type === 'notify' || type === 'webhook') throw invalid(index, `${type} actions belong to triggers and automations, not macros`);
  if (!(MACRO_ACTION_TYPES as readonly unknown[]).includes(type)) throw invalid(index, `type must be one of ${MACRO_ACTION_TYPES.join(', ')}`);
  const known = ALLOWED_KEYS[type as MacroAction['type']];
  const extra = Object.keys(action).filter((key) => !known.includes(key));
  if (extra.length > 0) throw invalid(index, `unknown propert${extra.length > 1 ? 'ies' : 'y'} ${extra.join(', ')} for a ${type as string} action`);
  switch (type as MacroAction['type']) {
    case 'set':
      return setAction(action, index);
    case 'addTags':
    case 'removeTags':
      return { type: type as 'addTags' | 'removeTags', value: tagList(action.value, index) };
    case 'comment':
      if (typeof action.body !== 'string' || action.body.length === 0 || action.body.length > TICKET_LIMITS.body) throw invalid(index, `body must be HTML text of 1 to ${TICKET_LIMITS.body} characters`);
      if (action.internal !== undefined && typeof action.internal !== 'boolean') throw invalid(index, 'internal must be true (an internal note) or false (a public reply)');
      return { type: 'comment', body: checkedTemplate(action.body, `actions[${index}].body`), internal: action.internal === true };
  }
}

/** Across the actions of one list: no field set twice, at most one comment (each error names the action by its index). */
export function checkMacroActionSet(actions: ReadonlyArray<{ action: MacroAction; index: number }>, what = 'a macro'): void {
  const fieldsSet = new Set<string>();
  let comments = 0;
  for (const { action, index } of actions) {
    if (action.type === 'set') {
      if (fieldsSet.has(action.field)) throw invalid(index, `${action.field} is already set by an earlier action`);
      fieldsSet.add(action.field);
    }
    if (action.type === 'comment') {
      comments += 1;
      if (comments > 1) throw invalid(index, `${what} adds at most one comment`);
    }
  }
}

/**
 * A macro's actions as stored, from what a client sent: every action known and well formed, at most
 * one comment, no field set twice. Whether an assignee or team belongs to the organization is the
 * service's to check (it needs the database); each error names the action by its index.
 */
export function parseMacroActions(raw: ReadonlyArray<Record<string, unknown>>): MacroAction[] {
  const actions = raw.map((action, index) => parseMacroAction(action, index));
  checkMacroActionSet(actions.map((action, index) => ({ action, index })));
  return actions;
}

/** The ticket changes a macro's field actions make to a ticket with these tags: set first, then added, then removed. */
export function ticketChangesOf(actions: readonly MacroAction[], currentTags: readonly string[]): TicketChanges {
  const changes: TicketChanges = {};
  let tags: string[] | undefined;
  for (const action of actions) {
    if (action.type === 'set') {
      const key = customFieldKey(action);
      if (key !== undefined) changes.fields = { ...changes.fields, [key]: action.value as TicketFieldValue | null };
      else if (action.field === 'tags') tags = [...(action.value as string[])];
      else (changes as Record<string, unknown>)[action.field] = action.value;
    }
  }
  for (const action of actions) {
    if (action.type === 'addTags') tags = [...(tags ?? currentTags), ...action.value];
  }
  for (const action of actions) {
    if (action.type === 'removeTags') tags = (tags ?? [...currentTags]).filter((tag) => !action.value.includes(tag));
  }
  if (tags !== undefined) {
    const normalized = normalizeTags(tags);
    if (normalized.length > TICKET_LIMITS.tags) throw new CommandError('VALIDATION', `The macro would leave the ticket with ${normalized.length} tags; a ticket holds at most ${TICKET_LIMITS.tags}`);
    changes.tags = normalized;
  }
  return changes;
}

/** The plain-text name a macro or canned response is listed under. */
export function displayName(name: string): string {
  const plain = stripToPlainText(name);
  if (!plain) throw new CommandError('VALIDATION', 'name must contain text');
  return plain;
}
