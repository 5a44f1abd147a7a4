import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  TICKET_LIMITS,
  TRIGGER_LIMITS,
  type CreateTriggerCommand,
  type DeletedReply,
  type ListTriggersCommand,
  type Page,
  type RuleCondition,
  type TriggerRefCommand,
  type TriggerView,
  type UpdateTriggerCommand,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { isUniqueViolation } from '../directory/unique-violation.js';
import { displayName } from '../macros/macro-actions.js';
import { checkedRuleActions, RuleWebhooks } from '../rules/rule-actions.js';
import { parseRuleConditions } from '../rules/rule-conditions.js';
import { organizationFields } from '../ticket-fields/ticket-fields.service.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { Trigger } from './trigger.entity.js';

export const DUPLICATE_TRIGGER = 'A trigger with this name already exists';

export function toTriggerView(trigger: Trigger): TriggerView {
  return {
    id: trigger.id,
    name: trigger.name,
    event: trigger.event,
    all: trigger.all,
    any: trigger.any,
    actions: trigger.actions,
    position: trigger.position,
    active: trigger.active,
    createdAt: trigger.createdAt.toISOString(),
    updatedAt: trigger.updatedAt.toISOString(),
  };
}

async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'triggers_organization_name_key')) throw new CommandError('CONFLICT', DUPLICATE_TRIGGER);
    throw error;
  }
}

/**
 * Triggers (DESIGN section 14): an organization's ordered rules, written and read by admins. Firing
 * them is the TriggerEngine's; this service keeps them well formed (conditions in the workflow's one
 * condition language, actions as rule-actions.ts checks them).
 */
@Injectable()
export class TriggersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(RuleWebhooks) private readonly ruleWebhooks: RuleWebhooks,
  ) {}

  /** In firing order: by position, then id (keyset: the position and id of the last trigger). */
  async list(command: ListTriggersCommand): Promise<Page<TriggerView>> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = this.dataSource.manager
      .createQueryBuilder(Trigger, 'trigger')
      .where('trigger.organizationId = :orgId', { orgId: caller.orgId })
      .orderBy('trigger.position', 'ASC')
      .addOrderBy('trigger.id', 'ASC')
      .limit(limit + 1);
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'integer');
      query.andWhere('(trigger.position, trigger.id) > (:cursorPosition, :cursorId)', { cursorPosition: cursor.value, cursorId: cursor.id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toTriggerView), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.position, id: last.id }) : null };
  }

  async get(command: TriggerRefCommand): Promise<TriggerView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    return toTriggerView(await this.find(this.dataSource.manager, caller.orgId, command.triggerId));
  }

  async create(command: CreateTriggerCommand): Promise<TriggerView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const name = displayName(command.name);
    const { all, any } = await this.checkedConditions(manager, caller.orgId, command.all, command.any ?? []);
    const actions = await checkedRuleActions(manager, caller.orgId, command.actions, this.ruleWebhooks);
    if ((await manager.countBy(Trigger, { organizationId: caller.orgId })) >= TRIGGER_LIMITS.perOrganization) {
      throw new CommandError('CONFLICT', `An organization keeps at most ${TRIGGER_LIMITS.perOrganization} triggers; delete one before adding another`);
    }
    const position = command.position ?? (await this.nextPosition(manager, caller.orgId));
    const trigger = await withUniqueName(() =>
      manager.save(manager.create(Trigger, { organizationId: caller.orgId, name, event: command.event, all, any, actions, position, active: command.active ?? true, createdBy: caller.userId })),
    );
    return toTriggerView(trigger);
  }

  /** The last admin to change a trigger signs its comments from then on. */
  async update(command: UpdateTriggerCommand): Promise<TriggerView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const trigger = await this.find(manager, caller.orgId, command.triggerId);
    const { name, event, all, any, actions, position, active } = command.changes;
    if (name !== undefined) trigger.name = displayName(name);
    if (event !== undefined) trigger.event = event;
    if (all !== undefined || any !== undefined) Object.assign(trigger, await this.checkedConditions(manager, caller.orgId, all ?? trigger.all, any ?? trigger.any));
    if (actions !== undefined) trigger.actions = await checkedRuleActions(manager, caller.orgId, actions, this.ruleWebhooks);
    if (position !== undefined) trigger.position = position;
    if (active !== undefined) trigger.active = active;
    trigger.createdBy = caller.userId;
    return toTriggerView(await withUniqueName(() => manager.save(trigger)));
  }

  async delete(command: TriggerRefCommand): Promise<DeletedReply> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const result = await this.dataSource.manager.delete(Trigger, { id: command.triggerId, organizationId: caller.orgId });
    if (!result.affected) throw new CommandError('NOT_FOUND', 'Trigger not found');
    return { deleted: true };
  }

  /** Another organization's trigger is "not found". */
  private async find(manager: EntityManager, orgId: string, triggerId: string): Promise<Trigger> {
    const trigger = await manager.findOneBy(Trigger, { id: triggerId, organizationId: orgId });
    if (!trigger) throw new CommandError('NOT_FOUND', 'Trigger not found');
    return trigger;
  }

  /** The workflow's one condition language (rules/rule-conditions.ts), against the organization's custom fields. */
  private async checkedConditions(manager: EntityManager, orgId: string, all: unknown, any: unknown): Promise<{ all: RuleCondition[]; any: RuleCondition[] }> {
    const parsed = parseRuleConditions({ all, any }, await organizationFields(manager, orgId));
    return { all: parsed.all, any: parsed.any ?? [] };
  }

  private async nextPosition(manager: EntityManager, orgId: string): Promise<number> {
    const [row] = (await manager.query(`SELECT COALESCE(MAX(position) + 1, 0) AS next FROM ${TICKET_SCHEMA}.triggers WHERE organization_id = $1`, [orgId])) as Array<{ next: number }>;
    return Number(row?.next ?? 0);
  }
}
