import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MACRO_LIMITS,
  TICKET_LIMITS,
  type ApplyMacroCommand,
  type CommentView,
  type CreateMacroCommand,
  type DeletedReply,
  type ListMacrosCommand,
  type MacroAction,
  type MacroPreview,
  type MacroRefCommand,
  type MacroView,
  type Page,
  type TicketView,
  type UpdateMacroCommand,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CommentsService, toCommentView } from '../comments/comments.service.js';
import { isUniqueViolation } from '../directory/unique-violation.js';
import { diff, historyActor, recordHistory } from '../history/ticket-history.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { toTicketView } from '../tickets/ticket-view.js';
import { TicketsService, TRACKED_FIELDS } from '../tickets/tickets.service.js';
import { Team } from '../teams/team.entity.js';
import { fieldDiff } from '../ticket-fields/ticket-field-values.js';
import { organizationFields } from '../ticket-fields/ticket-fields.service.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import { User } from '../users/user.entity.js';
import { checkedFieldActions, customFieldKey, displayName, parseMacroActions, ticketChangesOf } from './macro-actions.js';
import { Macro } from './macro.entity.js';
import { renderTemplate } from './template.js';
import { checkedTeamId, visibleTo } from './visibility.js';

export const DUPLICATE_MACRO = 'A macro with this name already exists';

function toMacroView(macro: Macro): MacroView {
  return { id: macro.id, name: macro.name, teamId: macro.teamId, actions: macro.actions, createdAt: macro.createdAt.toISOString(), updatedAt: macro.updatedAt.toISOString() };
}

async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'macros_organization_name_key')) throw new CommandError('CONFLICT', DUPLICATE_MACRO);
    throw error;
  }
}

/** Thrown to roll a preview's transaction back, carrying what it would have left behind. */
class PreviewRollback extends Error {
  constructor(readonly preview: { ticket: Ticket; comments: CommentView[] }) {
    super('macro preview');
  }
}

/**
 * Macros (DESIGN section 14): named actions an agent applies to a ticket in one step. Admins write
 * them; agents see the organization's and their teams'. Applying one is a single transaction that
 * writes the comment and the changes as a person would (same events, so realtime and mail follow)
 * and one history row naming the macro; a preview runs the very same transaction and rolls it back.
 */
@Injectable()
export class MacrosService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
    @Inject(CommentsService) private readonly comments: CommentsService,
  ) {}

  /** By name, then id (keyset: the name and id of the last macro). */
  async list(command: ListMacrosCommand): Promise<Page<MacroView>> {
    const caller = await this.principals.verifyStaff(command.principal);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = visibleTo(this.dataSource.manager.createQueryBuilder(Macro, 'macro'), 'macro', caller).orderBy('macro.name', 'ASC').addOrderBy('macro.id', 'ASC').limit(limit + 1);
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'text');
      query.andWhere('(macro.name, macro.id) > (:cursorName, :cursorId)', { cursorName: cursor.value, cursorId: cursor.id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toMacroView), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.name, id: last.id }) : null };
  }

  async get(command: MacroRefCommand): Promise<MacroView> {
    const caller = await this.principals.verifyStaff(command.principal);
    return toMacroView(await this.findVisible(this.dataSource.manager, caller, command.macroId));
  }

  async create(command: CreateMacroCommand): Promise<MacroView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const name = displayName(command.name);
    const actions = await this.checkedActions(manager, caller.orgId, command.actions);
    const teamId = await checkedTeamId(manager, caller.orgId, command.teamId);
    if ((await manager.countBy(Macro, { organizationId: caller.orgId })) >= MACRO_LIMITS.perOrganization) {
      throw new CommandError('CONFLICT', `An organization keeps at most ${MACRO_LIMITS.perOrganization} macros; delete one before adding another`);
    }
    const macro = await withUniqueName(() => manager.save(manager.create(Macro, { organizationId: caller.orgId, teamId, name, actions, createdBy: caller.userId })));
    return toMacroView(macro);
  }

  async update(command: UpdateMacroCommand): Promise<MacroView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const manager = this.dataSource.manager;
    const macro = await this.findVisible(manager, caller, command.macroId);
    const { name, actions, teamId } = command.changes;
    if (name !== undefined) macro.name = displayName(name);
    if (actions !== undefined) macro.actions = await this.checkedActions(manager, caller.orgId, actions);
    if (teamId !== undefined) macro.teamId = await checkedTeamId(manager, caller.orgId, teamId);
    return toMacroView(await withUniqueName(() => manager.save(macro)));
  }

  async delete(command: MacroRefCommand): Promise<DeletedReply> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const result = await this.dataSource.manager.delete(Macro, { id: command.macroId, organizationId: caller.orgId });
    if (!result.affected) throw new CommandError('NOT_FOUND', 'Macro not found');
    return { deleted: true };
  }

  apply(command: ApplyMacroCommand & { preview: true }): Promise<MacroPreview>;
  apply(command: ApplyMacroCommand): Promise<TicketView | MacroPreview>;
  async apply(command: ApplyMacroCommand): Promise<TicketView | MacroPreview> {
    if (command.preview) {
      try {
        await this.dataSource.transaction(async (manager) => {
          throw new PreviewRollback(await this.applyLocked(manager, command));
        });
      } catch (error) {
        if (error instanceof PreviewRollback) return { ticket: toTicketView(error.preview.ticket, true), comments: error.preview.comments };
        throw error;
      }
    }
    const { ticket } = await this.dataSource.transaction((manager) => this.applyLocked(manager, command));
    this.tickets.afterCommit(ticket);
    return toTicketView(ticket, true);
  }

  /** The comment first (so a public reply answers the ticket), then the field changes, which have the last word on status. */
  private async applyLocked(manager: EntityManager, command: ApplyMacroCommand): Promise<{ ticket: Ticket; comments: CommentView[] }> {
    const caller = await this.principals.verify(command.principal, manager);
    let ticket = await this.tickets.findVisible(manager, caller, command.ticketId, true);
    if (!caller.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may apply macros');
    const macro = await this.findVisible(manager, caller, command.macroId);
    this.tickets.expectVersion(ticket, command.expectedVersion);
    const before = { ...ticket };
    const eventData = { macro: { id: macro.id, name: macro.name } };
    const comments: CommentView[] = [];
    const commentAction = macro.actions.find((action): action is Extract<MacroAction, { type: 'comment' }> => action.type === 'comment');
    if (commentAction) {
      const requester = await manager.findOneByOrFail(User, { id: ticket.requesterId });
      const body = renderTemplate(commentAction.body, { 'ticket.number': String(ticket.number), 'ticket.subject': ticket.subject, 'requester.name': requester.name, 'agent.name': caller.user.name });
      const written = await this.comments.writeLocked(manager, caller, ticket, { body, internal: commentAction.internal, eventData });
      ticket = written.ticket;
      comments.push(toCommentView(written.comment));
    }
    ({ ticket } = await this.tickets.changeLocked(manager, caller, ticket, ticketChangesOf(macro.actions, ticket.tags), eventData));
    await recordHistory(manager, {
      organizationId: caller.orgId,
      ticketId: ticket.id,
      ...historyActor(caller),
      action: 'macro.applied',
      changes: {
        macro: { from: null, to: eventData.macro },
        ...(comments[0] ? { comment: { from: null, to: { id: comments[0].id, internal: comments[0].internal } } } : {}),
        ...diff(before, ticket, [...TRACKED_FIELDS, 'firstRespondedAt', 'nextResponseDueAt']),
        ...fieldDiff(before.fields, ticket.fields),
      },
    });
    return { ticket, comments };
  }

  /** Another organization's macro, or a team's the agent is not in, is "not found". */
  private async findVisible(manager: EntityManager, caller: VerifiedPrincipal, macroId: string): Promise<Macro> {
    const macro = await visibleTo(manager.createQueryBuilder(Macro, 'macro'), 'macro', caller).andWhere('macro.id = :macroId', { macroId }).getOne();
    if (!macro) throw new CommandError('NOT_FOUND', 'Macro not found');
    return macro;
  }

  /**
   * Well formed (parseMacroActions), every assignee an active agent or admin and every team one of this
   * organization, and every custom field one of its active fields with a value its type accepts.
   */
  private async checkedActions(manager: EntityManager, orgId: string, raw: ReadonlyArray<Record<string, unknown>>): Promise<MacroAction[]> {
    let actions = parseMacroActions(raw);
    if (actions.some((action) => customFieldKey(action) !== undefined)) actions = checkedFieldActions(actions, await organizationFields(manager, orgId));
    for (const [index, action] of actions.entries()) {
      if (action.type !== 'set' || action.value === null) continue;
      if (action.field === 'assigneeId') {
        const assignee = await manager.findOne(User, { where: { id: action.value as string, organizationId: orgId, active: true } });
        if (!assignee || assignee.role === 'customer') throw new CommandError('VALIDATION', `actions[${index}]: assigneeId must be an active agent or admin of this organization`, { action: index });
      }
      if (action.field === 'teamId') {
        if (!(await manager.exists(Team, { where: { id: action.value as string, organizationId: orgId } }))) {
          throw new CommandError('VALIDATION', `actions[${index}]: teamId must be a team of this organization`, { action: index });
        }
      }
    }
    return actions;
  }
}
