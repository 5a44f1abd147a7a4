import type { TicketFieldType } from '@helpdesk/contracts';

// The bundle takes only types from @helpdesk/contracts; these mirror its TICKET_FIELD_TYPES and key rule.
export const FIELD_TYPES = ['text', 'number', 'date', 'dropdown', 'multiselect', 'checkbox'] as const satisfies readonly TicketFieldType[];
export const FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]{0,49}$/;
export const usesOptions = (type: TicketFieldType) => type === 'dropdown' || type === 'multiselect';
