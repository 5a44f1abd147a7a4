import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MacroAction, RuleAction } from '@helpdesk/contracts';
import { LRUCache } from 'lru-cache';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import type { RuleRun } from '../rules/rule-actions.js';
import { compileRuleConditions } from '../rules/rule-conditions.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { Trigger } from './trigger.entity.js';

/** Runs a trigger's comments and notifications on a ticket just created; RuleActionRunner registers itself (it needs TicketsService, which needs this). */
export interface CreationTriggerEffects {
  runEffects(manager: EntityManager, ticket: Ticket, actions: readonly RuleAction[], run: RuleRun): Promise<{ ok: true; ticket: Ticket } | { ok: false; error: string }>;
}

/** Organizations whose creation triggers one replica keeps; the rest are read again when needed. */
const CACHED_ORGANIZATIONS = 2_000;

/** The actions a trigger applies to the ticket's own fields, folded into the creation. */
export function fieldActionsOf(actions: readonly RuleAction[]): MacroAction[] {
  return actions.filter((action): action is MacroAction => action.type !== 'notify' && action.type !== 'webhook' && action.type !== 'comment');
}

/** Whether a trigger also writes something besides the ticket's fields (a comment, a notification), run right after the creation. */
export function hasEffects(actions: readonly RuleAction[]): boolean {
  return actions.some((action) => action.type === 'comment' || action.type === 'notify' || action.type === 'webhook');
}

/**
 * The `ticket.created` triggers of an organization, and which of them a ticket about to be created
 * meets (DESIGN section 14; docs/workflow.md "Triggers"). TicketsService applies them inside the
 * creation, so their changes are part of the ticket as created: one `ticket.created` event, no
 * second change through the events stream. Each replica caches the list per organization, keyed by
 * `organizations.triggers_version`, which the database bumps on every write to the organization's
 * triggers and the creation reads in its first query: a stale copy is never used, on any replica.
 */
@Injectable()
export class CreationTriggers {
  private readonly cache = new LRUCache<string, { version: string; triggers: Trigger[] }>({ max: CACHED_ORGANIZATIONS });
  private effects?: CreationTriggerEffects;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  useEffects(effects: CreationTriggerEffects): void {
    this.effects = effects;
  }

  runEffects(...args: Parameters<CreationTriggerEffects['runEffects']>): ReturnType<CreationTriggerEffects['runEffects']> {
    if (!this.effects) throw new Error('No runner of trigger effects is registered (RuleActionRunner is not provided)');
    return this.effects.runEffects(...args);
  }

  /** The organization's active `ticket.created` triggers in firing order, as of `version`. */
  async of(orgId: string, version: string): Promise<Trigger[]> {
    const cached = this.cache.get(orgId);
    if (cached?.version === version) return cached.triggers;
    const triggers = await this.dataSource.manager.find(Trigger, { where: { organizationId: orgId, event: 'ticket.created', active: true }, order: { position: 'ASC', id: 'ASC' } });
    this.cache.set(orgId, { version, triggers });
    return triggers;
  }

  /**
   * The triggers whose conditions the ticket (not yet inserted) meets, in order: one query, every
   * trigger's compiled conditions a column over the ticket as a row of the tickets table.
   */
  async matching(ticket: Ticket, triggers: Trigger[], calendar: BusinessCalendar): Promise<Trigger[]> {
    if (triggers.length === 0) return [];
    const row = Object.fromEntries(this.dataSource.getMetadata(Ticket).columns.map((column) => [column.databaseName, column.getEntityValue(ticket) ?? null]));
    const now = new Date();
    const params: unknown[] = [JSON.stringify(row)];
    const columns = triggers.map((trigger, index) => {
      const compiled = compileRuleConditions({ all: trigger.all, any: trigger.any }, { now, calendar, alias: 't', firstParam: params.length + 1 });
      params.push(...compiled.params);
      return `(${compiled.sql}) AS m${index}`;
    });
    const [result] = (await this.dataSource.query(`SELECT ${columns.join(', ')} FROM json_populate_record(NULL::${TICKET_SCHEMA}.tickets, $1::json) t`, params)) as Array<Record<string, boolean>>;
    return triggers.filter((_, index) => result?.[`m${index}`] === true);
  }
}
