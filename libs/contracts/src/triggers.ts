import type { RuleAction } from './rule-actions.js';
import type { RuleCondition } from './rule-conditions.js';

/**
 * Triggers (DESIGN section 14, `/api/v1/triggers`): on an event about a ticket, when the ticket meets
 * the conditions, apply the actions. Conditions are the workflow rules' one language
 * (rule-conditions.ts, shared with automations); actions are rule-actions.ts'.
 */
export const TRIGGER_EVENTS = ['ticket.created', 'ticket.updated', 'comment.customer', 'comment.agent', 'ticket.sla.warning', 'ticket.sla.breached'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const TRIGGER_LIMITS = {
  name: 200,
  conditions: 20,
  /** Triggers per organization: each event evaluates all of the organization's active ones. */
  perOrganization: 200,
} as const;

export interface TriggerView {
  id: string;
  name: string;
  event: TriggerEvent;
  /** Conditions every one of which must hold. */
  all: RuleCondition[];
  /** Conditions of which at least one must hold (when non-empty). */
  any: RuleCondition[];
  actions: RuleAction[];
  /** Order among the organization's triggers: lower runs first. */
  position: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}
