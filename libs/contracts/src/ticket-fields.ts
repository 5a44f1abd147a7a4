/** Custom ticket fields (DESIGN section 14): per organization, staff-only, validated on every write. */
export const TICKET_FIELD_TYPES = ['text', 'number', 'date', 'dropdown', 'multiselect', 'checkbox'] as const;
export type TicketFieldType = (typeof TICKET_FIELD_TYPES)[number];

/** The types whose values come from the field's `options`. */
export const OPTION_FIELD_TYPES: readonly TicketFieldType[] = ['dropdown', 'multiselect'];

export const TICKET_FIELD_LIMITS = {
  /** Per organization, archived fields included (their keys stay reserved). */
  fieldsPerOrganization: 100,
  options: 200,
  option: 100,
  label: 100,
  key: 50,
  text: 1_000,
} as const;

/** A key is what the API, filters and rules use: a lowercase slug that starts with a letter. */
export const TICKET_FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]*$/;

/** text, dropdown and date (YYYY-MM-DD) hold strings; number a finite number; checkbox a boolean; multiselect option values. */
export type TicketFieldValue = string | number | boolean | string[];

export interface TicketFieldView {
  id: string;
  key: string;
  label: string;
  type: TicketFieldType;
  /** The allowed values of a dropdown or multiselect, in display order; empty for other types. */
  options: string[];
  /** A ticket cannot be solved or closed without a value for it. */
  requiredToSolve: boolean;
  /** Archived fields keep their values on tickets but can no longer be set, and no longer block solving. */
  active: boolean;
  createdAt: string;
  updatedAt: string;
}
