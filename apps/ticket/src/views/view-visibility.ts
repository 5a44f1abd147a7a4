import type { TicketFilterQuery, TicketFilters } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import type { EntityManager } from 'typeorm';
import type { VerifiedPrincipal } from '../users/principal-verifier.js';
import { SavedView } from './saved-view.entity.js';

/** A view the caller may read: the organization's shared views and their own; anything else, customers' asks included, is "not found". */
export async function findVisibleView(manager: EntityManager, caller: VerifiedPrincipal, viewId: string, lock = false): Promise<SavedView> {
  if (!caller.staff) throw new CommandError('NOT_FOUND', 'View not found');
  const query = manager
    .createQueryBuilder(SavedView, 'view')
    .where('view.id = :viewId AND view.organizationId = :orgId', { viewId, orgId: caller.orgId })
    .andWhere('(view.ownerId IS NULL OR view.ownerId = :callerId)', { callerId: caller.userId });
  if (lock) query.setLock('pessimistic_write');
  const view = await query.getOne();
  if (!view) throw new CommandError('NOT_FOUND', 'View not found');
  return view;
}

const FILTER_KEYS = ['status', 'priority', 'assigneeId', 'teamId', 'tag', 'requesterId', 'breached', 'q'] as const;

/**
 * `GET /tickets?view=<id>&...`: the view's filters, each replaced by the same filter given
 * explicitly (custom fields key by key). Replacing rather than adding keeps one rule a person can
 * predict: what the URL says wins, and everything it does not say comes from the view.
 */
export function combinedFilters(saved: TicketFilterQuery, given: TicketFilters): TicketFilters {
  const combined: TicketFilters = {};
  for (const key of FILTER_KEYS) {
    const value = given[key] ?? saved[key];
    if (value !== undefined) Object.assign(combined, { [key]: value });
  }
  const fields = { ...saved.fields, ...given.fields };
  if (Object.keys(fields).length > 0) combined.fields = fields;
  return combined;
}
