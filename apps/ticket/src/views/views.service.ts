import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DEFAULT_VIEWS,
  TICKET_LIMITS,
  VIEW_LIMITS,
  type CreateViewCommand,
  type DeletedReply,
  type ListViewsCommand,
  type Page,
  type QueueView,
  type TicketFilterQuery,
  type TicketFilters,
  type UpdateViewCommand,
  type ViewRefCommand,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, stripToPlainText } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { isUniqueViolation } from '../directory/unique-violation.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import { SavedView } from './saved-view.entity.js';
import { findVisibleView } from './view-visibility.js';

export const DUPLICATE_VIEW = 'A view with this name already exists';
const SHARED_BY_ADMINS = 'Only admins may create, change or delete shared views';

async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'saved_views_shared_name_key') || isUniqueViolation(error, 'saved_views_personal_name_key')) throw new CommandError('CONFLICT', DUPLICATE_VIEW);
    throw error;
  }
}

/** Only the filters given, as given (the class instance's undefined properties dropped): what the view stores. */
function storedQuery(filters: TicketFilters): TicketFilterQuery {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as TicketFilterQuery;
}

/** The default views of a new organization, written in its signup transaction (the migration gave existing ones the same). */
export async function createDefaultViews(manager: EntityManager, organizationId: string, createdBy: string | null): Promise<void> {
  await manager.insert(
    SavedView,
    DEFAULT_VIEWS.map((view, index) => ({ organizationId, ownerId: null, name: view.name, query: view.query, sort: view.sort, position: index + 1, createdBy })),
  );
}

/**
 * Views (DESIGN section 14): saved GET /tickets filters and sort. Personal views are their owner's
 * alone (404 to everyone else); shared views are read by the organization's staff and written by
 * admins. Each is listed with its count for the reader, one bounded statement per view.
 */
@Injectable()
export class ViewsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(TicketsService) private readonly tickets: TicketsService,
  ) {}

  /** By position, then id (keyset: the position and id of the last view). */
  async list(command: ListViewsCommand): Promise<Page<QueueView>> {
    const caller = await this.principals.verifyStaff(command.principal);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = this.dataSource.manager
      .createQueryBuilder(SavedView, 'view')
      .where('view.organizationId = :orgId', { orgId: caller.orgId })
      .andWhere('(view.ownerId IS NULL OR view.ownerId = :callerId)', { callerId: caller.userId })
      .orderBy('view.position', 'ASC')
      .addOrderBy('view.id', 'ASC')
      .limit(limit + 1);
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'integer');
      query.andWhere('(view.position, view.id) > (:cursorPosition, :cursorId)', { cursorPosition: cursor.value, cursorId: cursor.id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    // One count at a time: a page of views must not take every connection of the pool at once.
    const items: QueueView[] = [];
    for (const view of page) items.push(await this.withCount(caller, view));
    return { items, nextCursor: rows.length > limit && last ? encodeCursor({ value: last.position, id: last.id }) : null };
  }

  async get(command: ViewRefCommand): Promise<QueueView> {
    const caller = await this.principals.verifyStaff(command.principal);
    return this.withCount(caller, await findVisibleView(this.dataSource.manager, caller, command.viewId));
  }

  async create(command: CreateViewCommand): Promise<QueueView> {
    const caller = await this.principals.verifyStaff(command.principal);
    const shared = command.shared ?? false;
    if (shared && caller.role !== 'admin') throw new CommandError('FORBIDDEN', SHARED_BY_ADMINS);
    const name = this.checkedName(command.name);
    const query = storedQuery(command.query);
    await this.tickets.checkFilters(caller, query, command.sort);
    const view = await this.dataSource.transaction(async (manager) => {
      // Serializes creations per organization so the limits hold under concurrent requests.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('saved_views:' || $1))`, [caller.orgId]);
      await this.checkRoom(manager, caller, shared);
      const position = command.position ?? (await this.nextPosition(manager, caller));
      return withUniqueName(() =>
        manager.save(manager.create(SavedView, { organizationId: caller.orgId, ownerId: shared ? null : caller.userId, name, query, sort: command.sort ?? null, position, createdBy: caller.userId })),
      );
    });
    return this.withCount(caller, view);
  }

  async update(command: UpdateViewCommand): Promise<QueueView> {
    const caller = await this.principals.verifyStaff(command.principal);
    const { name, shared, query, sort, position } = command.changes;
    const view = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('saved_views:' || $1))`, [caller.orgId]);
      const view = await findVisibleView(manager, caller, command.viewId, true);
      const wasShared = view.ownerId === null;
      if ((wasShared || shared === true) && caller.role !== 'admin') throw new CommandError('FORBIDDEN', SHARED_BY_ADMINS);
      if (shared !== undefined && shared !== wasShared) {
        await this.checkRoom(manager, caller, shared);
        // Made personal, a shared view becomes the admin's own.
        view.ownerId = shared ? null : caller.userId;
      }
      if (name !== undefined) view.name = this.checkedName(name);
      if (query !== undefined) view.query = storedQuery(query);
      if (sort !== undefined) view.sort = sort;
      if (query !== undefined || sort !== undefined) await this.tickets.checkFilters(caller, view.query, view.sort);
      if (position !== undefined) view.position = position;
      return withUniqueName(() => manager.save(view));
    });
    return this.withCount(caller, view);
  }

  async delete(command: ViewRefCommand): Promise<DeletedReply> {
    const caller = await this.principals.verifyStaff(command.principal);
    await this.dataSource.transaction(async (manager) => {
      const view = await findVisibleView(manager, caller, command.viewId, true);
      if (view.ownerId === null && caller.role !== 'admin') throw new CommandError('FORBIDDEN', SHARED_BY_ADMINS);
      await manager.delete(SavedView, { id: view.id });
    });
    return { deleted: true };
  }

  private async withCount(caller: VerifiedPrincipal, view: SavedView): Promise<QueueView> {
    const { count, capped } = await this.tickets.count(caller, view.query, VIEW_LIMITS.countCap);
    return {
      id: view.id,
      name: view.name,
      shared: view.ownerId === null,
      ownerId: view.ownerId,
      query: view.query,
      sort: view.sort,
      position: view.position,
      count,
      countCapped: capped,
      createdAt: view.createdAt.toISOString(),
      updatedAt: view.updatedAt.toISOString(),
    };
  }

  private checkedName(raw: string): string {
    const name = stripToPlainText(raw).trim();
    if (!name) throw new CommandError('VALIDATION', 'name must contain text');
    return name;
  }

  private async checkRoom(manager: EntityManager, caller: VerifiedPrincipal, shared: boolean): Promise<void> {
    if (shared) {
      const count = await manager.createQueryBuilder(SavedView, 'view').where('view.organizationId = :orgId AND view.ownerId IS NULL', { orgId: caller.orgId }).getCount();
      if (count >= VIEW_LIMITS.sharedPerOrganization) throw new CommandError('CONFLICT', `An organization keeps at most ${VIEW_LIMITS.sharedPerOrganization} shared views; delete one before adding another`);
    } else if ((await manager.countBy(SavedView, { ownerId: caller.userId })) >= VIEW_LIMITS.personalPerUser) {
      throw new CommandError('CONFLICT', `An agent keeps at most ${VIEW_LIMITS.personalPerUser} personal views; delete one before adding another`);
    }
  }

  /** After every view the caller sees, so a new one lands at the bottom of their sidebar. */
  private async nextPosition(manager: EntityManager, caller: VerifiedPrincipal): Promise<number> {
    const [row] = (await manager.query(`SELECT COALESCE(max(position), 0) + 1 AS next FROM helpdesk.saved_views WHERE organization_id = $1 AND (owner_id IS NULL OR owner_id = $2)`, [caller.orgId, caller.userId])) as Array<{ next: number }>;
    return Math.min(Number(row?.next ?? 1), 1_000_000);
  }
}
