import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  AUTOMATION_LIMITS,
  TICKET_LIMITS,
  isHoursSinceField,
  type AutomationPreviewItem,
  type AutomationView,
  type CreateAutomationCommand,
  type DeletedReply,
  type ListAutomationsCommand,
  type Page,
  type PreviewAutomationCommand,
  type RuleConditions,
  type AutomationRefCommand,
  type UpdateAutomationCommand,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, stripToPlainText } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUniqueViolation } from '../directory/unique-violation.js';
import { calendarOf } from '../organizations/organization-calendar.js';
import { Organization } from '../organizations/organization.entity.js';
import { checkedRuleActions, RuleWebhooks } from '../rules/rule-actions.js';
import { compileRuleConditions, parseRuleConditions, ruleStateKeySql } from '../rules/rule-conditions.js';
import { organizationFields } from '../ticket-fields/ticket-fields.service.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { Automation } from './automation.entity.js';

export const DUPLICATE_AUTOMATION = 'An automation with this name already exists';

export function toAutomationView(automation: Automation): AutomationView {
  return {
    id: automation.id,
    name: automation.name,
    all: automation.conditions.all,
    any: automation.conditions.any ?? [],
    actions: automation.actions,
    active: automation.active,
    createdAt: automation.createdAt.toISOString(),
    updatedAt: automation.updatedAt.toISOString(),
  };
}

async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'automations_organization_name_key')) throw new CommandError('CONFLICT', DUPLICATE_AUTOMATION);
    throw error;
  }
}

function automationName(name: string): string {
  const plain = stripToPlainText(name);
  if (!plain) throw new CommandError('VALIDATION', 'name must contain text');
  return plain;
}

/** A ticket the automation would act on now, with the state it would be recorded under. */
export interface AutomationCandidate {
  id: string;
  number: number;
  stateKey: string;
}

/** Changes committed this long after their transaction began still fall inside the next pass's window (updated_at is the transaction's start). */
export const WINDOW_MARGIN_MS = 5 * 60_000;

/**
 * What can make a ticket newly match since `since`: a change to it (updated_at), or one of the
 * automation's "more than N hours" thresholds passing its moment. A ticket outside every one of
 * these matched, or did not, at the last pass already, so the scheduler need not look at it again.
 */
function freshSince(conditions: RuleConditions, since: Date, calendar: ReturnType<typeof calendarOf>, firstParam: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [since.toISOString()];
  const parts = [`t.updated_at >= CAST($${firstParam} AS timestamptz)`];
  for (const condition of [...conditions.all, ...(conditions.any ?? [])]) {
    if (!isHoursSinceField(condition.field) || condition.op !== 'gt') continue;
    // "moment > threshold at `since`": past the threshold now, and not yet at the last pass.
    const crossed = compileRuleConditions({ all: [{ ...condition, op: 'lt' }] }, { now: since, calendar, alias: 't', firstParam: firstParam + params.length });
    parts.push(crossed.sql);
    params.push(...crossed.params);
  }
  return { sql: parts.join(' OR '), params };
}

/**
 * The tickets `automation` would act on at `now`: matching its conditions, not closed (closed
 * tickets are final), and not yet acted on in their current state. The hoursSince condition every
 * automation has keeps this on the index of that moment. `afterNumber` pages by ticket number;
 * the scheduler asks unordered, so the LIMIT stops the scan at the first matches, and passes
 * `since` (its last complete pass) to look only at tickets that may have started matching since.
 */
export async function automationCandidates(
  manager: EntityManager,
  automation: Pick<Automation, 'id' | 'organizationId' | 'conditions'>,
  context: { now: Date; calendar: ReturnType<typeof calendarOf> },
  limit: number,
  { afterNumber = 0, ordered = true, since = null }: { afterNumber?: number; ordered?: boolean; since?: Date | null } = {},
): Promise<AutomationCandidate[]> {
  const compiled = compileRuleConditions(automation.conditions, { ...context, alias: 't', firstParam: 5 });
  const fresh = since ? freshSince(automation.conditions, new Date(since.getTime() - WINDOW_MARGIN_MS), context.calendar, 5 + compiled.params.length) : null;
  const stateKey = ruleStateKeySql(automation.conditions, 't');
  const rows: Array<{ id: string; number: number; state_key: string }> = await manager.query(
    `SELECT t.id, t.number, ${stateKey} AS state_key
       FROM helpdesk.tickets t
      WHERE t.organization_id = $1 AND t.status <> 'closed' AND t.number > $3 AND (${compiled.sql})${fresh ? ` AND (${fresh.sql})` : ''}
        AND NOT EXISTS (SELECT 1 FROM helpdesk.automation_runs r WHERE r.automation_id = $2 AND r.ticket_id = t.id AND r.state_key = ${stateKey})
      ${ordered ? 'ORDER BY t.number' : ''}
      LIMIT $4`,
    [automation.organizationId, automation.id, afterNumber, limit, ...compiled.params, ...(fresh?.params ?? [])],
  );
  return rows.map((row) => ({ id: row.id, number: row.number, stateKey: row.state_key }));
}

/**
 * Automations (DESIGN section 14): admins write and read them; the scheduler (AutomationScheduler)
 * runs the active ones every minute. The preview is the scheduler's own selection, read-only.
 */
@Injectable()
export class AutomationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(RuleWebhooks) private readonly ruleWebhooks: RuleWebhooks,
  ) {}

  /** By name, then id. */
  async list(command: ListAutomationsCommand): Promise<Page<AutomationView>> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = this.dataSource.manager
      .createQueryBuilder(Automation, 'automation')
      .where('automation.organizationId = :orgId', { orgId: caller.orgId })
      .orderBy('automation.name', 'ASC')
      .addOrderBy('automation.id', 'ASC')
      .limit(limit + 1);
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'text');
      query.andWhere('(automation.name, automation.id) > (:cursorName, :cursorId)', { cursorName: cursor.value, cursorId: cursor.id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toAutomationView), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.name, id: last.id }) : null };
  }

  async get(command: AutomationRefCommand): Promise<AutomationView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    return toAutomationView(await this.find(this.dataSource.manager, caller.orgId, command.automationId));
  }

  async create(command: CreateAutomationCommand): Promise<AutomationView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const name = automationName(command.name);
    const conditions = await this.checkedConditions(manager, caller.orgId, { all: command.all, any: command.any });
    const actions = await checkedRuleActions(manager, caller.orgId, command.actions, this.ruleWebhooks);
    if ((await manager.countBy(Automation, { organizationId: caller.orgId })) >= AUTOMATION_LIMITS.perOrganization) {
      throw new CommandError('CONFLICT', `An organization keeps at most ${AUTOMATION_LIMITS.perOrganization} automations; delete one before adding another`);
    }
    const automation = await withUniqueName(() =>
      manager.save(manager.create(Automation, { organizationId: caller.orgId, name, conditions, actions, active: command.active ?? true, createdBy: caller.userId })),
    );
    return toAutomationView(automation);
  }

  async update(command: UpdateAutomationCommand): Promise<AutomationView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const automation = await this.find(manager, caller.orgId, command.automationId);
    const { name, all, any, actions, active } = command.changes;
    if (name !== undefined) automation.name = automationName(name);
    if (all !== undefined || any !== undefined) {
      automation.conditions = await this.checkedConditions(manager, caller.orgId, { all: all ?? automation.conditions.all, any: any ?? automation.conditions.any });
      // New conditions match other tickets: the next pass looks at all of them.
      automation.evaluatedAt = null;
    }
    if (actions !== undefined) automation.actions = await checkedRuleActions(manager, caller.orgId, actions, this.ruleWebhooks);
    if (active !== undefined) {
      // Reactivated: what happened while it was off is looked at in full.
      if (active && !automation.active) automation.evaluatedAt = null;
      automation.active = active;
    }
    return toAutomationView(await withUniqueName(() => manager.save(automation)));
  }

  async delete(command: AutomationRefCommand): Promise<DeletedReply> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const result = await this.dataSource.manager.delete(Automation, { id: command.automationId, organizationId: caller.orgId });
    if (!result.affected) throw new CommandError('NOT_FOUND', 'Automation not found');
    return { deleted: true };
  }

  /** The dry run: the tickets the automation would act on now, by number; nothing is written. */
  async preview(command: PreviewAutomationCommand): Promise<Page<AutomationPreviewItem>> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const automation = await this.find(manager, caller.orgId, command.automationId);
    const organization = await manager.findOneByOrFail(Organization, { id: caller.orgId });
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const after = command.cursor ? Number(decodeCursor(command.cursor, 'integer', 'integer').value) : 0;
    const candidates = await automationCandidates(manager, automation, { now: new Date(), calendar: calendarOf(organization) }, limit + 1, { afterNumber: after });
    const page = candidates.slice(0, limit);
    const rows: Array<{ id: string; number: number; subject: string; status: string; priority: string; assignee_id: string | null; updated_at: Date }> =
      page.length === 0
        ? []
        : await manager.query(`SELECT id, number, subject, status, priority, assignee_id, updated_at FROM helpdesk.tickets WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY number`, [
            caller.orgId,
            page.map((candidate) => candidate.id),
          ]);
    const last = page.at(-1);
    return {
      items: rows.map((row) => ({ id: row.id, number: row.number, subject: row.subject, status: row.status, priority: row.priority, assigneeId: row.assignee_id, updatedAt: row.updated_at.toISOString() })),
      nextCursor: candidates.length > limit && last ? encodeCursor({ value: last.number, id: String(last.number) }) : null,
    };
  }

  private async find(manager: EntityManager, orgId: string, automationId: string): Promise<Automation> {
    const automation = await manager.findOneBy(Automation, { id: automationId, organizationId: orgId });
    if (!automation) throw new CommandError('NOT_FOUND', 'Automation not found');
    return automation;
  }

  /** Conditions checked against the organization's custom fields; an automation is time-based, so `all` names at least one hoursSince. */
  private async checkedConditions(manager: EntityManager, orgId: string, raw: { all: unknown; any: unknown }): Promise<RuleConditions> {
    const conditions = parseRuleConditions(raw, await organizationFields(manager, orgId));
    if (!conditions.all.some((condition) => isHoursSinceField(condition.field))) {
      throw new CommandError('VALIDATION', 'all must hold at least one hoursSince condition (e.g. { "field": "hoursSince.pending", "op": "gt", "value": 72 }): automations are time-based');
    }
    return conditions;
  }
}
