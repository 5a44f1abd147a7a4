import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  PAGE_SIZE,
  TICKET_PRIORITIES,
  type CreateSlaPolicyCommand,
  type DeletedReply,
  type ListSlaPoliciesCommand,
  type Page,
  type SlaPolicyRefCommand,
  type SlaPolicyView,
  type UpdateSlaPolicyCommand,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, stripToPlainText } from '@helpdesk/common';
import { DataSource } from 'typeorm';
import { SlaPolicy } from '../sla/sla-policy.entity.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { isUniqueViolation } from './unique-violation.js';

export const RESOLUTION_BEFORE_FIRST_RESPONSE = 'resolutionMinutes must be at least firstResponseMinutes';

function toSlaPolicyView(policy: SlaPolicy): SlaPolicyView {
  return {
    id: policy.id,
    name: policy.name,
    priority: policy.priority,
    firstResponseMinutes: policy.firstResponseMinutes,
    nextResponseMinutes: policy.nextResponseMinutes,
    resolutionMinutes: policy.resolutionMinutes,
    businessHoursOnly: policy.businessHoursOnly,
    active: policy.active,
    createdAt: policy.createdAt.toISOString(),
    updatedAt: policy.updatedAt.toISOString(),
  };
}

function policyName(name: string): string {
  const plain = stripToPlainText(name);
  if (!plain) throw new CommandError('VALIDATION', 'name must contain text');
  return plain;
}

function assertTargets(policy: Pick<SlaPolicy, 'firstResponseMinutes' | 'resolutionMinutes'>): void {
  if (policy.resolutionMinutes < policy.firstResponseMinutes) throw new CommandError('VALIDATION', RESOLUTION_BEFORE_FIRST_RESPONSE);
}

/**
 * Most urgent first, newest first within a priority, as one text key so the keyset cursor holds a
 * single value: the priority's rank, then the creation time at fixed width (microseconds, UTC);
 * compared byte by byte (COLLATE "C"), whatever the database's locale.
 */
const POLICY_ORDER_KEY = `(array_position(ARRAY[${TICKET_PRIORITIES.map((priority) => `'${priority}'`).join(', ')}]::text[], policy.priority)::text || '|' || to_char(policy.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')) COLLATE "C"`;

/**
 * SLA policies: one active policy per priority. A ticket keeps the policy and due times it got when it
 * was opened or its priority last changed; editing or retiring a policy only affects later tickets.
 */
@Injectable()
export class SlaPoliciesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
  ) {}

  /** A page of the policies (the retired ones too with `includeInactive`), most urgent first, newest first within a priority. */
  async list(command: ListSlaPoliciesCommand): Promise<Page<SlaPolicyView>> {
    const caller = await this.principals.verifyStaff(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const query = this.dataSource.manager
      .createQueryBuilder(SlaPolicy, 'policy')
      .where('policy.organizationId = :orgId', { orgId: caller.orgId })
      .addSelect(POLICY_ORDER_KEY, 'sort_value')
      .orderBy(POLICY_ORDER_KEY, 'DESC')
      .addOrderBy('policy.id', 'DESC')
      .limit(limit + 1);
    if (!command.includeInactive) query.andWhere('policy.active');
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'text');
      query.andWhere(`(${POLICY_ORDER_KEY}, policy.id) < (:value COLLATE "C", :id)`, { value: cursor.value, id: cursor.id });
    }
    const { entities, raw } = await query.getRawAndEntities<{ sort_value: string }>();
    const page = entities.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toSlaPolicyView), nextCursor: entities.length > limit && last ? encodeCursor({ value: raw[page.length - 1]!.sort_value, id: last.id }) : null };
  }

  /** Replaces the active policy of its priority, in one transaction: there is never none, nor two. */
  async create(command: CreateSlaPolicyCommand): Promise<SlaPolicyView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const draft = {
      organizationId: caller.orgId,
      name: policyName(command.name),
      priority: command.priority,
      firstResponseMinutes: command.firstResponseMinutes,
      nextResponseMinutes: command.nextResponseMinutes ?? null,
      resolutionMinutes: command.resolutionMinutes,
      businessHoursOnly: command.businessHoursOnly,
      active: true,
    };
    assertTargets(draft);
    const policy = await this.dataSource
      .transaction(async (manager) => {
        await manager.update(SlaPolicy, { organizationId: caller.orgId, priority: command.priority, active: true }, { active: false });
        return manager.save(manager.create(SlaPolicy, draft));
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'sla_policies_active_priority_key')) throw new CommandError('CONFLICT', `Another ${command.priority} policy was created at the same moment; try again`);
        throw error;
      });
    return toSlaPolicyView(policy);
  }

  /** Retired policies are history: only the active one of a priority can be edited. */
  async update(command: UpdateSlaPolicyCommand): Promise<SlaPolicyView> {
    const changes = command.changes;
    return this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyAdmin(command.principal, manager);
      const policy = await manager.findOne(SlaPolicy, { where: { id: command.policyId, organizationId: caller.orgId, active: true }, lock: { mode: 'for_no_key_update' } });
      if (!policy) throw new CommandError('NOT_FOUND', 'SLA policy not found');
      if (changes.name !== undefined) policy.name = policyName(changes.name);
      if (changes.firstResponseMinutes !== undefined) policy.firstResponseMinutes = changes.firstResponseMinutes;
      if (changes.nextResponseMinutes !== undefined) policy.nextResponseMinutes = changes.nextResponseMinutes;
      if (changes.resolutionMinutes !== undefined) policy.resolutionMinutes = changes.resolutionMinutes;
      if (changes.businessHoursOnly !== undefined) policy.businessHoursOnly = changes.businessHoursOnly;
      assertTargets(policy);
      return toSlaPolicyView(await manager.save(policy));
    });
  }

  /** Retires the policy (tickets still reference it); new tickets of its priority get no SLA until another is created. */
  async delete(command: SlaPolicyRefCommand): Promise<DeletedReply> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const result = await this.dataSource.manager.update(SlaPolicy, { id: command.policyId, organizationId: caller.orgId, active: true }, { active: false });
    if (!result.affected) throw new CommandError('NOT_FOUND', 'SLA policy not found');
    return { deleted: true };
  }
}
