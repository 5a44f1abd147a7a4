import type { MacroAction } from './macros.js';
import type { TicketView } from './tickets.js';

/**
 * Actions of the workflow rules, triggers and automations (DESIGN section 14): a macro's actions
 * (set, addTags, removeTags, comment) plus `notify` and `webhook`. Both rule kinds store and run the
 * same list, so this is their one definition.
 */
export const RULE_ACTION_TYPES = ['set', 'addTags', 'removeTags', 'comment', 'notify', 'webhook'] as const;
export type RuleActionType = (typeof RULE_ACTION_TYPES)[number];

/** Who a `notify` action mails, besides one plain address (`to: "someone@example.com"`). */
export const RULE_NOTIFY_TARGETS = ['assignee', 'team', 'requester'] as const;
export type RuleNotifyTarget = (typeof RULE_NOTIFY_TARGETS)[number];

export type RuleNotifyAction = { type: 'notify'; to: RuleNotifyTarget | string; subject: string; body: string };
/** Stored shape of a webhook action: the webhook (of the rule's organization) the ticket is sent to, checked on write. */
export type RuleWebhookAction = { type: 'webhook'; webhookId: string };
export type RuleAction = MacroAction | RuleNotifyAction | RuleWebhookAction;

export const RULE_ACTION_LIMITS = {
  actions: 20,
  /** Mails one rule may send per firing: a rule is not a mailing list. */
  notifies: 5,
  /** Webhooks one rule may send to per firing. */
  webhooks: 5,
  subject: 200,
  /** Notification bodies are HTML with the template placeholders, like a macro's comment. */
  body: 65_536,
} as const;

/** The kinds of rule whose actions change tickets: named in history (`<kind>.fired`) and in event data. */
export type RuleKind = 'trigger' | 'automation';

/** The rule behind a change, carried in the `rule` property of every event its actions record. */
export interface RuleRef {
  kind: RuleKind;
  id: string;
  name: string;
}

/**
 * Where a change stands in a chain of trigger firings, carried in the `chain` property of every
 * event a rule's actions record: `depth` 1 is a change made by a rule acting on a person's change;
 * `fired` lists the triggers that already acted in this chain, which never fire in it again.
 */
export interface RuleChain {
  depth: number;
  fired: string[];
}

/** Chains of triggers stop here: a change made at this depth fires no further trigger. */
export const RULE_CHAIN_MAX_DEPTH = 5;

/**
 * `ticket.notification_requested`: a rule's `notify` action. The notification service mails it to
 * the recipient(s) `to` names (the ticket's assignee, its team's members, its requester, or one
 * address); subject and body are already rendered for the ticket (body sanitized HTML).
 */
export interface TicketNotificationRequestedData {
  ticket: { id: string; number: number };
  to: RuleNotifyTarget | string;
  subject: string;
  body: string;
  rule: RuleRef;
  chain: RuleChain;
}

/**
 * `ticket.webhook_requested`: a rule's `webhook` action. The notification service delivers this
 * envelope, signed, to the one webhook `webhookId` names (whatever events it subscribes to), unless
 * it is disabled or deleted by then. `ticket` is the ticket as the rule left it (no description);
 * `triggeringEvent` the event a trigger acted on (null for automations and `ticket.created`
 * triggers acting inside the creation). Never a secret.
 */
export interface TicketWebhookRequestedData {
  ticket: Omit<TicketView, 'description'>;
  webhookId: string;
  rule: RuleRef;
  chain: RuleChain;
  triggeringEvent: { id: string; type: string } | null;
}
