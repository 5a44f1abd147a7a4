import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MACRO_LIMITS,
  TICKET_LIMITS,
  type CannedResponseRefCommand,
  type CannedResponseView,
  type CreateCannedResponseCommand,
  type DeletedReply,
  type ListCannedResponsesCommand,
  type Page,
  type RenderCannedResponseCommand,
  type RenderedCannedResponse,
  type UpdateCannedResponseCommand,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUniqueViolation } from '../directory/unique-violation.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import { User } from '../users/user.entity.js';
import { CannedResponse } from './canned-response.entity.js';
import { displayName } from './macro-actions.js';
import { checkedTemplate, renderTemplate } from './template.js';
import { checkedTeamId, containsPattern, visibleTo } from './visibility.js';

export const DUPLICATE_CANNED_RESPONSE = 'A canned response with this name already exists';

function toView(response: CannedResponse): CannedResponseView {
  return { id: response.id, name: response.name, teamId: response.teamId, body: response.body, createdAt: response.createdAt.toISOString(), updatedAt: response.updatedAt.toISOString() };
}

async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'canned_responses_organization_name_key')) throw new CommandError('CONFLICT', DUPLICATE_CANNED_RESPONSE);
    throw error;
  }
}

/**
 * Canned responses (DESIGN section 14): reply snippets with the macros' placeholders, searchable by
 * name and body. Admins write them; agents see the organization's and their teams'. The ticket
 * service renders one for a ticket, so its placeholders are escaped exactly as a macro's are.
 */
@Injectable()
export class CannedResponsesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
  ) {}

  async list(command: ListCannedResponsesCommand): Promise<Page<CannedResponseView>> {
    const caller = await this.principals.verifyStaff(command.principal);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = visibleTo(this.dataSource.manager.createQueryBuilder(CannedResponse, 'response'), 'response', caller)
      .orderBy('response.name', 'ASC')
      .addOrderBy('response.id', 'ASC')
      .limit(limit + 1);
    if (command.q) query.andWhere('(response.name ILIKE :pattern OR response.body ILIKE :pattern)', { pattern: containsPattern(command.q.trim()) });
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'text');
      query.andWhere('(response.name, response.id) > (:cursorName, :cursorId)', { cursorName: cursor.value, cursorId: cursor.id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.name, id: last.id }) : null };
  }

  async get(command: CannedResponseRefCommand): Promise<CannedResponseView> {
    const caller = await this.principals.verifyStaff(command.principal);
    return toView(await this.findVisible(this.dataSource.manager, caller, command.cannedResponseId));
  }

  async create(command: CreateCannedResponseCommand): Promise<CannedResponseView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const name = displayName(command.name);
    const body = checkedTemplate(command.body, 'body');
    const teamId = await checkedTeamId(manager, caller.orgId, command.teamId);
    if ((await manager.countBy(CannedResponse, { organizationId: caller.orgId })) >= MACRO_LIMITS.perOrganization) {
      throw new CommandError('CONFLICT', `An organization keeps at most ${MACRO_LIMITS.perOrganization} canned responses; delete one before adding another`);
    }
    return toView(await withUniqueName(() => manager.save(manager.create(CannedResponse, { organizationId: caller.orgId, teamId, name, body, createdBy: caller.userId }))));
  }

  async update(command: UpdateCannedResponseCommand): Promise<CannedResponseView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const response = await this.findVisible(manager, caller, command.cannedResponseId);
    const { name, body, teamId } = command.changes;
    if (name !== undefined) response.name = displayName(name);
    if (body !== undefined) response.body = checkedTemplate(body, 'body');
    if (teamId !== undefined) response.teamId = await checkedTeamId(manager, caller.orgId, teamId);
    return toView(await withUniqueName(() => manager.save(response)));
  }

  async delete(command: CannedResponseRefCommand): Promise<DeletedReply> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const result = await this.dataSource.manager.delete(CannedResponse, { id: command.cannedResponseId, organizationId: caller.orgId });
    if (!result.affected) throw new CommandError('NOT_FOUND', 'Canned response not found');
    return { deleted: true };
  }

  /** The body for the composer of one ticket: placeholders filled with escaped values, sanitized like a comment. */
  async render(command: RenderCannedResponseCommand): Promise<RenderedCannedResponse> {
    const caller = await this.principals.verify(command.principal);
    const manager = this.dataSource.manager;
    const ticket = await this.tickets.findVisible(manager, caller, command.ticketId);
    if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may use canned responses');
    const response = await this.findVisible(manager, caller, command.cannedResponseId);
    const requester = await manager.findOneByOrFail(User, { id: ticket.requesterId });
    const body = renderTemplate(response.body, { 'ticket.number': String(ticket.number), 'ticket.subject': ticket.subject, 'requester.name': requester.name, 'agent.name': caller.user.name });
    return { id: response.id, name: response.name, body };
  }

  private async findVisible(manager: EntityManager, caller: VerifiedPrincipal, cannedResponseId: string): Promise<CannedResponse> {
    const response = await visibleTo(manager.createQueryBuilder(CannedResponse, 'response'), 'response', caller).andWhere('response.id = :cannedResponseId', { cannedResponseId }).getOne();
    if (!response) throw new CommandError('NOT_FOUND', 'Canned response not found');
    return response;
  }
}
