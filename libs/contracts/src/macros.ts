import type { TicketFieldValue } from './ticket-fields.js';
import type { CommentView, TicketView } from './tickets.js';

/** The placeholders a macro's comment or a canned response may hold; anything else between `{{ }}` is refused on save. */
export const TEMPLATE_PLACEHOLDERS = ['ticket.number', 'ticket.subject', 'requester.name', 'agent.name'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** Ticket fields a macro's `set` action may change; `fields.<key>` sets a custom field (MacroFieldSetAction). */
export const MACRO_SET_FIELDS = ['status', 'priority', 'assigneeId', 'teamId', 'tags'] as const;
export type MacroSetField = (typeof MACRO_SET_FIELDS)[number];

export const MACRO_ACTION_TYPES = ['set', 'addTags', 'removeTags', 'comment'] as const;

export const MACRO_LIMITS = {
  name: 200,
  actions: 20,
  /** Macros and canned responses per organization: each list is small enough to hold in the console. */
  perOrganization: 500,
} as const;

/** `set` of the custom field `<key>`: the value as the field's type stores it (validated on save), or null to clear it. */
export interface MacroFieldSetAction {
  type: 'set';
  field: `fields.${string}`;
  value: TicketFieldValue | null;
}

export type MacroAction =
  | { type: 'set'; field: MacroSetField; value: string | string[] | null }
  | MacroFieldSetAction
  | { type: 'addTags' | 'removeTags'; value: string[] }
  | { type: 'comment'; body: string; internal: boolean };

export interface MacroView {
  id: string;
  name: string;
  /** null: every agent of the organization sees it; otherwise only the team's members (and admins). */
  teamId: string | null;
  actions: MacroAction[];
  createdAt: string;
  updatedAt: string;
}

/** `POST /tickets/:id/macros/:macroId?preview=true`: the ticket and the new comments as applying would leave them; nothing saved. */
export interface MacroPreview {
  ticket: TicketView;
  comments: CommentView[];
}

export interface CannedResponseView {
  id: string;
  name: string;
  teamId: string | null;
  /** Sanitized HTML with placeholders (rendered for one ticket by the render command). */
  body: string;
  createdAt: string;
  updatedAt: string;
}

/** A canned response rendered for one ticket: placeholders replaced with HTML-escaped values. */
export interface RenderedCannedResponse {
  id: string;
  name: string;
  body: string;
}
