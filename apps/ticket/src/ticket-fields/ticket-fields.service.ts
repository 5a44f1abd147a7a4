import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  PAGE_SIZE,
  TICKET_FIELD_LIMITS,
  type CreateTicketFieldCommand,
  type ListTicketFieldsCommand,
  type Page,
  type TicketFieldRefCommand,
  type TicketFieldView,
  type UpdateTicketFieldCommand,
} from '@helpdesk/contracts';
import { CommandError, stripToPlainText, keysetPage } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUniqueViolation } from '../directory/unique-violation.js';
import { Organization } from '../organizations/organization.entity.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { TicketField } from './ticket-field.entity.js';
import { usesOptions } from './ticket-field-values.js';

export function toTicketFieldView(field: TicketField): TicketFieldView {
  return {
    id: field.id,
    key: field.key,
    label: field.label,
    type: field.type,
    options: field.options,
    requiredToSolve: field.requiredToSolve,
    active: field.active,
    createdAt: field.createdAt.toISOString(),
    updatedAt: field.updatedAt.toISOString(),
  };
}

function fieldLabel(label: string): string {
  const plain = stripToPlainText(label);
  if (!plain) throw new CommandError('VALIDATION', 'label must contain text');
  return plain;
}

/** Dropdowns and multiselects need at least one option, each once; the other types take none. */
function fieldOptions(type: TicketField['type'], options: string[] | undefined): string[] {
  if (!usesOptions(type)) {
    if (options?.length) throw new CommandError('VALIDATION', `options are only for dropdown and multiselect fields, not ${type}`);
    return [];
  }
  const cleaned = (options ?? []).map((option) => stripToPlainText(option));
  if (cleaned.length === 0 || cleaned.some((option) => !option)) throw new CommandError('VALIDATION', `a ${type} field needs options: a list of 1 to ${TICKET_FIELD_LIMITS.options} non-empty values`);
  const repeated = cleaned.filter((option, index) => cleaned.indexOf(option) !== index);
  if (repeated.length > 0) throw new CommandError('VALIDATION', `options must be unique; repeated: ${[...new Set(repeated)].join(', ')}`);
  return cleaned;
}

/**
 * An organization's custom ticket fields (DESIGN section 14): admins define them, staff read them
 * (tickets' values are staff-only, so customers are refused). Fields are archived, never deleted:
 * tickets keep their values and history, and the key stays reserved.
 */
@Injectable()
export class TicketFieldsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
  ) {}

  /** A page of the fields (the archived ones too with `includeArchived`), in creation order: the order forms show them in. */
  async list(command: ListTicketFieldsCommand): Promise<Page<TicketFieldView>> {
    const caller = await this.principals.verifyStaff(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const query = this.dataSource.manager.createQueryBuilder(TicketField, 'field').where('field.organizationId = :orgId', { orgId: caller.orgId });
    if (!command.includeArchived) query.andWhere('field.active');
    const page = await keysetPage(query, { alias: 'field', property: 'createdAt', column: 'created_at', valueKind: 'timestamp', direction: 'ASC' }, command.cursor, limit);
    return { items: page.items.map(toTicketFieldView), nextCursor: page.nextCursor };
  }

  async get(command: TicketFieldRefCommand): Promise<TicketFieldView> {
    const caller = await this.principals.verifyStaff(command.principal);
    return toTicketFieldView(await this.find(this.dataSource.manager, caller.orgId, command.fieldId));
  }

  async create(command: CreateTicketFieldCommand): Promise<TicketFieldView> {
    const draft = { key: command.key, label: fieldLabel(command.label), type: command.type, options: fieldOptions(command.type, command.options), requiredToSolve: command.requiredToSolve ?? false, active: true };
    return this.dataSource
      .transaction(async (manager) => {
        const caller = await this.principals.verifyAdmin(command.principal, manager);
        // The organization's row lock makes the count and the insert one step, so concurrent creations cannot pass the cap together.
        await manager.findOne(Organization, { where: { id: caller.orgId }, lock: { mode: 'pessimistic_write' } });
        if (await manager.exists(TicketField, { where: { organizationId: caller.orgId, key: command.key } })) throw duplicateKey(command.key);
        const count = await manager.count(TicketField, { where: { organizationId: caller.orgId } });
        if (count >= TICKET_FIELD_LIMITS.fieldsPerOrganization) {
          throw new CommandError('CONFLICT', `An organization can have at most ${TICKET_FIELD_LIMITS.fieldsPerOrganization} custom fields (archived ones included)`);
        }
        return toTicketFieldView(await manager.save(manager.create(TicketField, { ...draft, organizationId: caller.orgId })));
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'ticket_fields_organization_key_key')) throw duplicateKey(command.key);
        throw error;
      });
  }

  async update(command: UpdateTicketFieldCommand): Promise<TicketFieldView> {
    const changes = command.changes;
    return this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyAdmin(command.principal, manager);
      const field = await this.find(manager, caller.orgId, command.fieldId, true);
      if (changes.key !== undefined && changes.key !== field.key) {
        throw new CommandError('CONFLICT', `key cannot be changed: tickets, filters and rules refer to "${field.key}"; create a new field instead`);
      }
      if (changes.type !== undefined && changes.type !== field.type) {
        throw new CommandError('CONFLICT', `type cannot be changed: tickets hold ${field.type} values for "${field.key}"; create a new field instead`);
      }
      if (changes.label !== undefined) field.label = fieldLabel(changes.label);
      if (changes.options !== undefined) field.options = fieldOptions(field.type, changes.options);
      if (changes.requiredToSolve !== undefined) field.requiredToSolve = changes.requiredToSolve;
      if (changes.active !== undefined) field.active = changes.active;
      return toTicketFieldView(await manager.save(field));
    });
  }

  /** DELETE archives: values stay on tickets (and in their history), the field can be restored with `active: true`. */
  async archive(command: TicketFieldRefCommand): Promise<TicketFieldView> {
    return this.update({ principal: command.principal, fieldId: command.fieldId, changes: { active: false } });
  }

  private async find(manager: EntityManager, orgId: string, fieldId: string, lock = false): Promise<TicketField> {
    const field = await manager.findOne(TicketField, { where: { id: fieldId, organizationId: orgId }, ...(lock ? { lock: { mode: 'for_no_key_update' as const } } : {}) });
    if (!field) throw new CommandError('NOT_FOUND', 'Ticket field not found');
    return field;
  }
}

function duplicateKey(key: string): CommandError {
  return new CommandError('CONFLICT', `A field with key "${key}" already exists in this organization (archived fields keep their keys)`);
}

/** Every field of the organization, archived ones included, for validating ticket writes, filters and sorts. */
export function organizationFields(manager: EntityManager, orgId: string): Promise<TicketField[]> {
  return manager.find(TicketField, { where: { organizationId: orgId }, order: { createdAt: 'ASC', id: 'ASC' } });
}
