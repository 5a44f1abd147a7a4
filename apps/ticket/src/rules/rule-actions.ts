import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  RULE_ACTION_LIMITS,
  RULE_ACTION_TYPES,
  RULE_NOTIFY_TARGETS,
  subjects,
  type MacroAction,
  type RuleAction,
  type RuleChain,
  type RuleRef,
  type TicketNotificationRequestedData,
  type TicketWebhookRequestedData,
  type WebhookExistsReply,
} from '@helpdesk/contracts';
import { CommandClient, CommandError, stripToPlainText } from '@helpdesk/common';
import { isEmail } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { CommentsService } from '../comments/comments.service.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import { diff, recordHistory } from '../history/ticket-history.js';
import { checkedFieldActions, checkMacroActionSet, customFieldKey, parseMacroAction, ticketChangesOf } from '../macros/macro-actions.js';
import { checkedTemplate, renderTemplate, type TemplateValues } from '../macros/template.js';
import { DomainEvents } from '../outbox/domain-events.js';
import { Team } from '../teams/team.entity.js';
import { organizationFields } from '../ticket-fields/ticket-fields.service.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { ticketEventData } from '../tickets/ticket-view.js';
import { CreationTriggers, fieldActionsOf } from '../triggers/creation-triggers.js';
import { TicketsService, TRACKED_FIELDS } from '../tickets/tickets.service.js';
import type { VerifiedPrincipal } from '../users/principal-verifier.js';
import { User } from '../users/user.entity.js';

/*
 * Rule actions: what triggers and automations do to a ticket (DESIGN section 14). Stable API, shared
 * by both rule kinds:
 *
 * - `parseRuleActions(raw)`: the stored list from what a client sent (errors name `actions[i]`),
 *   without database checks; `checkedRuleActions(manager, orgId, raw, webhooks)` adds them (assignees
 *   and teams of the organization, webhooks asked of the notification service). Call the latter on
 *   create and update.
 * - `RuleActionRunner.run(manager, ticketId, actions, run)`: applies a list to ONE ticket inside
 *   the caller's transaction, isolated by a savepoint: on failure the ticket is left as it was, a
 *   `<kind>.failed` history row and a log line say why, and `{ ok: false }` is answered; the
 *   caller's transaction stays usable, so other rules and tickets go on. On success one
 *   `<kind>.fired` history row names the rule. Call `TicketsService.afterCommit`-like publishing
 *   (`RuleActionRunner.committed`) once the transaction has committed.
 * - `RuleActionRunner.runEffects(manager, ticket, actions, run)`: only the comment and notifications
 *   of a `ticket.created` trigger, whose field changes the creation itself carried; reached through
 *   CreationTriggers, with which the runner registers itself.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(index: number, problem: string): CommandError {
  return new CommandError('VALIDATION', `actions[${index}]: ${problem}`, { action: index });
}

function notifyAction(raw: Record<string, unknown>, index: number): RuleAction {
  const extra = Object.keys(raw).filter((key) => !['type', 'to', 'subject', 'body'].includes(key));
  if (extra.length > 0) throw invalid(index, `unknown propert${extra.length > 1 ? 'ies' : 'y'} ${extra.join(', ')} for a notify action`);
  const to = typeof raw.to === 'string' ? raw.to.trim() : raw.to;
  const namedTarget = (RULE_NOTIFY_TARGETS as readonly unknown[]).includes(to);
  if (!namedTarget && !(typeof to === 'string' && to.length <= 254 && isEmail(to))) throw invalid(index, `to must be one of ${RULE_NOTIFY_TARGETS.join(', ')}, or an email address`);
  if (typeof raw.subject !== 'string' || raw.subject.length > RULE_ACTION_LIMITS.subject) throw invalid(index, `subject must be text of 1 to ${RULE_ACTION_LIMITS.subject} characters`);
  const subject = stripToPlainText(raw.subject);
  if (!subject) throw invalid(index, 'subject must contain text');
  checkedTemplate(subject, `actions[${index}].subject`);
  if (typeof raw.body !== 'string' || raw.body.length === 0 || raw.body.length > RULE_ACTION_LIMITS.body) throw invalid(index, `body must be HTML text of 1 to ${RULE_ACTION_LIMITS.body} characters`);
  return { type: 'notify', to: namedTarget ? (to as string) : (to as string).toLowerCase(), subject, body: checkedTemplate(raw.body, `actions[${index}].body`) };
}

function webhookAction(raw: Record<string, unknown>, index: number): RuleAction {
  const extra = Object.keys(raw).filter((key) => !['type', 'webhookId'].includes(key));
  if (extra.length > 0) throw invalid(index, `unknown propert${extra.length > 1 ? 'ies' : 'y'} ${extra.join(', ')} for a webhook action`);
  if (typeof raw.webhookId !== 'string' || !UUID.test(raw.webhookId)) throw invalid(index, 'webhookId must be the id (a UUID) of one of the organization\'s webhooks');
  return { type: 'webhook', webhookId: raw.webhookId.toLowerCase() };
}

/**
 * A rule's actions as stored: 1 to RULE_ACTION_LIMITS.actions actions, each a macro action
 * (parsed by the macros' parser), a notify (at most RULE_ACTION_LIMITS.notifies), or a webhook (at
 * most RULE_ACTION_LIMITS.webhooks, each named once; whether it exists is checkedRuleActions' job).
 */
export function parseRuleActions(raw: unknown): RuleAction[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > RULE_ACTION_LIMITS.actions) throw new CommandError('VALIDATION', `actions must be a list of 1 to ${RULE_ACTION_LIMITS.actions} actions`);
  const macroActions: Array<{ action: MacroAction; index: number }> = [];
  let notifies = 0;
  const webhookIds = new Set<string>();
  const actions = raw.map((action: unknown, index): RuleAction => {
    if (typeof action !== 'object' || action === null || Array.isArray(action)) throw invalid(index, 'must be an object with a type');
    const record = action as Record<string, unknown>;
    if (!(RULE_ACTION_TYPES as readonly unknown[]).includes(record.type)) throw invalid(index, `type must be one of ${RULE_ACTION_TYPES.join(', ')}`);
    if (record.type === 'webhook') {
      const parsed = webhookAction(record, index) as Extract<RuleAction, { type: 'webhook' }>;
      if (webhookIds.has(parsed.webhookId)) throw invalid(index, `webhook ${parsed.webhookId} is named twice; a rule sends to a webhook once`);
      webhookIds.add(parsed.webhookId);
      if (webhookIds.size > RULE_ACTION_LIMITS.webhooks) throw invalid(index, `a rule sends to at most ${RULE_ACTION_LIMITS.webhooks} webhooks`);
      return parsed;
    }
    if (record.type === 'notify') {
      notifies += 1;
      if (notifies > RULE_ACTION_LIMITS.notifies) throw invalid(index, `a rule sends at most ${RULE_ACTION_LIMITS.notifies} notifications`);
      return notifyAction(record, index);
    }
    const parsed = parseMacroAction(record, index);
    macroActions.push({ action: parsed, index });
    return parsed;
  });
  checkMacroActionSet(macroActions, 'a rule');
  return actions;
}

/** Asks the notification service, which owns webhooks, whether one is an organization's. */
@Injectable()
export class RuleWebhooks {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  /** UNAVAILABLE (503) when the notification service does not answer: the rule cannot be checked now. */
  async exists(orgId: string, webhookId: string): Promise<boolean> {
    try {
      const reply = await this.commands.request<WebhookExistsReply>(subjects.webhooks.exists, { orgId, webhookId });
      return reply.exists;
    } catch (error) {
      if (error instanceof CommandError && (error.code === 'UNAVAILABLE' || error.code === 'TIMEOUT')) {
        throw new CommandError('UNAVAILABLE', 'Webhook actions cannot be checked now: the notification service, which keeps the webhooks, is unavailable; try again shortly');
      }
      throw error;
    }
  }
}

/**
 * parseRuleActions, and every assignee an active agent or admin, every team one of this organization,
 * every `fields.<key>` value one of its custom fields' (checked and stored as the macros' are), every
 * webhook one of its webhooks (UNPROCESSABLE naming the id otherwise; a disabled one is accepted:
 * it may be enabled again, and until then its deliveries are skipped).
 */
export async function checkedRuleActions(manager: EntityManager, orgId: string, raw: unknown, webhooks: Pick<RuleWebhooks, 'exists'>): Promise<RuleAction[]> {
  let actions = parseRuleActions(raw);
  if (actions.some((action) => action.type !== 'notify' && action.type !== 'webhook' && customFieldKey(action) !== undefined)) {
    // Checked in place, so an error names the action by its index in the whole list.
    const placeholder: MacroAction = { type: 'addTags', value: [] };
    const checked = checkedFieldActions(actions.map((action) => (action.type === 'notify' || action.type === 'webhook' ? placeholder : action)), await organizationFields(manager, orgId));
    actions = actions.map((action, index) => (action.type === 'notify' || action.type === 'webhook' ? action : checked[index]!));
  }
  for (const [index, action] of actions.entries()) {
    if (action.type === 'webhook' && !(await webhooks.exists(orgId, action.webhookId))) {
      throw new CommandError('UNPROCESSABLE', `actions[${index}]: webhook ${action.webhookId} is not a webhook of this organization`, { action: index });
    }
    if (action.type !== 'set' || action.value === null) continue;
    if (action.field === 'assigneeId') {
      const assignee = await manager.findOne(User, { where: { id: action.value as string, organizationId: orgId, active: true } });
      if (!assignee || assignee.role === 'customer') throw invalid(index, 'assigneeId must be an active agent or admin of this organization');
    }
    if (action.field === 'teamId' && !(await manager.exists(Team, { where: { id: action.value as string, organizationId: orgId } }))) {
      throw invalid(index, 'teamId must be a team of this organization');
    }
  }
  return actions;
}

/** One rule acting on one ticket: which rule, where in a chain its changes stand, and whose account signs its comments. */
export interface RuleRun {
  rule: RuleRef;
  /** The chain the changes made by this run belong to (the caller has already counted this rule in). */
  chain: RuleChain;
  /** Preferred signer of the rule's comments (its author); another active admin when gone. */
  authorId: string | null;
  /** The event a trigger acts on, named in `ticket.webhook_requested`; absent for automations and creation triggers. */
  triggeringEvent?: { id: string; type: string };
}

export type RuleRunResult = { ok: true; ticket: Ticket; changed: boolean } | { ok: false; error: string };

@Injectable()
export class RuleActionRunner {
  private readonly logger = new Logger(RuleActionRunner.name);

  constructor(
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(CommentsService) private readonly comments: CommentsService,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(CreationTriggers) creationTriggers: CreationTriggers,
  ) {
    creationTriggers.useEffects(this);
  }

  /** Applies `actions` to one ticket of `orgId` in the caller's transaction, isolated by a savepoint (see the file's header). */
  async run(manager: EntityManager, orgId: string, ticketId: string, actions: readonly RuleAction[], run: RuleRun): Promise<RuleRunResult> {
    await manager.query('SAVEPOINT rule_actions');
    try {
      const result = await this.applyLocked(manager, orgId, ticketId, actions, run);
      await manager.query('RELEASE SAVEPOINT rule_actions');
      return { ok: true, ...result };
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT rule_actions');
      return { ok: false, error: await this.recordFailure(manager, orgId, ticketId, run, error) };
    }
  }

  /** Logs a rule's failure on a ticket and records it in the ticket's history; answers the message. */
  private async recordFailure(manager: EntityManager, orgId: string, ticketId: string, run: RuleRun, error: unknown): Promise<string> {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn({ message: `${run.rule.kind} "${run.rule.name}" failed on ticket ${ticketId}: ${message}`, orgId, ticketId, ruleId: run.rule.id, ruleKind: run.rule.kind });
    // The ticket may be gone (another organization's id, or deleted): then there is no history to write.
    const exists = await manager.query(`SELECT 1 FROM ${TICKET_SCHEMA}.tickets WHERE id = $1 AND organization_id = $2`, [ticketId, orgId]);
    if ((exists as unknown[]).length > 0) {
      await recordHistory(manager, { organizationId: orgId, ticketId, actorId: null, action: `${run.rule.kind}.failed`, changes: { [run.rule.kind]: { from: null, to: { id: run.rule.id, name: run.rule.name } }, error: { from: null, to: message } } });
    }
    return message;
  }

  /**
   * The comment and notifications of a `ticket.created` trigger whose field changes the creation
   * itself carried (TicketsService.applyCreationTriggers), on the ticket just inserted in the
   * caller's transaction; isolated by a savepoint like `run`, a failure recorded as `trigger.failed`.
   */
  async runEffects(manager: EntityManager, ticket: Ticket, actions: readonly RuleAction[], run: RuleRun): Promise<{ ok: true; ticket: Ticket } | { ok: false; error: string }> {
    await manager.query('SAVEPOINT rule_effects');
    try {
      const caller = await this.systemCaller(manager, ticket.organizationId, run);
      const templateValues = this.templateValuesOnce(manager, () => ticket, caller.user);
      const eventData = { rule: run.rule, chain: run.chain };
      const written = await this.writeComment(manager, caller, ticket, actions, eventData, templateValues);
      if (written) ticket = written.ticket;
      await this.requestNotifications(manager, ticket, actions, run, templateValues);
      await this.requestWebhooks(manager, ticket, actions, run);
      await manager.query('RELEASE SAVEPOINT rule_effects');
      return { ok: true, ticket };
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT rule_effects');
      return { ok: false, error: await this.recordFailure(manager, ticket.organizationId, ticket.id, run, error) };
    }
  }

  /** Publishes what committed runs recorded (call once the caller's transaction has committed). */
  committed(ticket?: Ticket): void {
    if (ticket) this.tickets.afterCommit(ticket);
    else this.events.committed();
  }

  /** The comment first (so a public reply answers the ticket), then the field changes, then the notifications; one history row. */
  private async applyLocked(manager: EntityManager, orgId: string, ticketId: string, actions: readonly RuleAction[], run: RuleRun): Promise<{ ticket: Ticket; changed: boolean }> {
    let ticket = await this.tickets.findInOrganization(manager, orgId, ticketId, true);
    const caller = await this.systemCaller(manager, orgId, run);
    const before = { ...ticket };
    const eventData = { rule: run.rule, chain: run.chain };
    const templateValues = this.templateValuesOnce(manager, () => ticket, caller.user);
    let commentRef: { id: string; internal: boolean } | undefined;
    const written = await this.writeComment(manager, caller, ticket, actions, eventData, templateValues);
    if (written) {
      ticket = written.ticket;
      commentRef = { id: written.comment.id, internal: written.comment.internal };
    }
    ({ ticket } = await this.tickets.changeLocked(manager, caller, ticket, ticketChangesOf(fieldActionsOf(actions), ticket.tags), eventData));
    const notified = await this.requestNotifications(manager, ticket, actions, run, templateValues);
    const webhooks = await this.requestWebhooks(manager, ticket, actions, run);
    const fieldChanges = diff(before, ticket, [...TRACKED_FIELDS, 'firstRespondedAt', 'nextResponseDueAt']);
    await recordHistory(manager, {
      organizationId: orgId,
      ticketId: ticket.id,
      actorId: null,
      action: `${run.rule.kind}.fired`,
      changes: {
        [run.rule.kind]: { from: null, to: { id: run.rule.id, name: run.rule.name, depth: run.chain.depth } },
        ...(commentRef ? { comment: { from: null, to: commentRef } } : {}),
        ...(notified.length > 0 ? { notified: { from: null, to: notified } } : {}),
        ...(webhooks.length > 0 ? { webhooks: { from: null, to: webhooks } } : {}),
        ...fieldChanges,
      },
    });
    return { ticket, changed: Object.keys(fieldChanges).length > 0 || commentRef !== undefined };
  }

  /** Read on first use (a comment or notification to render): most rules only set fields. */
  private templateValuesOnce(manager: EntityManager, ticket: () => Ticket, signer: User): () => Promise<TemplateValues> {
    let values: TemplateValues | undefined;
    return async () => (values ??= await this.templateValues(manager, ticket(), signer));
  }

  /** The rule's comment, if it has one, written first so a public reply answers the ticket. */
  private async writeComment(manager: EntityManager, caller: VerifiedPrincipal, ticket: Ticket, actions: readonly RuleAction[], eventData: Record<string, unknown>, templateValues: () => Promise<TemplateValues>) {
    const comment = actions.find((action): action is Extract<MacroAction, { type: 'comment' }> => action.type === 'comment');
    if (!comment) return undefined;
    return this.comments.writeLocked(manager, caller, ticket, { body: renderTemplate(comment.body, await templateValues()), internal: comment.internal, eventData });
  }

  /** One `ticket.notification_requested` per notify action, rendered for the ticket; answers whom. */
  private async requestNotifications(manager: EntityManager, ticket: Ticket, actions: readonly RuleAction[], run: RuleRun, templateValues: () => Promise<TemplateValues>): Promise<string[]> {
    const notified: string[] = [];
    for (const action of actions) {
      if (action.type !== 'notify') continue;
      const data: TicketNotificationRequestedData = {
        ticket: { id: ticket.id, number: ticket.number },
        to: action.to,
        subject: stripToPlainText(renderTemplate(action.subject, await templateValues())),
        body: renderTemplate(action.body, await templateValues()),
        rule: run.rule,
        chain: run.chain,
      };
      await this.events.record(manager, { type: 'ticket.notification_requested', orgId: ticket.organizationId, aggregateId: ticket.id, actor: { system: `${run.rule.kind}:${run.rule.id}` }, data });
      notified.push(action.to);
    }
    return notified;
  }

  /**
   * One `ticket.webhook_requested` per webhook action, carrying the ticket as the rule left it; the
   * notification service delivers it to that webhook alone. Answers the webhook ids.
   */
  private async requestWebhooks(manager: EntityManager, ticket: Ticket, actions: readonly RuleAction[], run: RuleRun): Promise<string[]> {
    const requested: string[] = [];
    for (const action of actions) {
      if (action.type !== 'webhook') continue;
      const data: TicketWebhookRequestedData = { ticket: ticketEventData(ticket), webhookId: action.webhookId, rule: run.rule, chain: run.chain, triggeringEvent: run.triggeringEvent ?? null };
      await this.events.record(manager, { type: 'ticket.webhook_requested', orgId: ticket.organizationId, aggregateId: ticket.id, actor: { system: `${run.rule.kind}:${run.rule.id}` }, data });
      requested.push(action.webhookId);
    }
    return requested;
  }

  /**
   * Rules act through a staff account (comments need an author; assignments are checked as staff
   * would be) but are announced as the platform: `system` makes every event's actor
   * `{ system: "<kind>:<id>" }`, so nobody's "own change" rules apply to them.
   */
  private async systemCaller(manager: EntityManager, orgId: string, run: RuleRun): Promise<VerifiedPrincipal> {
    const author = run.authorId ? await manager.findOne(User, { where: { id: run.authorId, organizationId: orgId, active: true } }) : null;
    const user =
      author && author.role !== 'customer'
        ? author
        : await manager.findOne(User, { where: { organizationId: orgId, role: 'admin', active: true }, order: { createdAt: 'ASC' } });
    if (!user) throw new CommandError('UNPROCESSABLE', 'The organization has no active admin to sign the rule\'s changes');
    return { orgId, userId: user.id, role: user.role, user, staff: true, system: `${run.rule.kind}:${run.rule.id}` };
  }

  private async templateValues(manager: EntityManager, ticket: Ticket, signer: User): Promise<TemplateValues> {
    const requester = await manager.findOneByOrFail(User, { id: ticket.requesterId });
    return { 'ticket.number': String(ticket.number), 'ticket.subject': ticket.subject, 'requester.name': requester.name, 'agent.name': signer.name };
  }
}
