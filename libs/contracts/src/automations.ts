import type { RuleAction } from './rule-actions.js';
import type { RuleCondition } from './rule-conditions.js';

/** Automations (DESIGN section 14): time-based rules a scheduler evaluates every minute, acting once per matching state. */
export const AUTOMATION_LIMITS = {
  name: 200,
  /** Every active automation is one indexed query per scheduler pass: the list stays small. */
  perOrganization: 100,
} as const;

export interface AutomationView {
  id: string;
  name: string;
  all: RuleCondition[];
  any: RuleCondition[];
  actions: RuleAction[];
  /** Inactive automations are kept but never run (their preview still works). */
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One ticket of a dry run: what the automation would act on now. */
export interface AutomationPreviewItem {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  assigneeId: string | null;
  updatedAt: string;
}
