import type { TicketFilterQuery, TicketPriority, TicketStatus } from '@helpdesk/contracts';
import type { TicketListQuery } from '../api/tickets';

export const STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
export const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
export const SORTS = ['-updatedAt', '-createdAt', 'createdAt', '-priority', 'resolutionDueAt'] as const;
export const DEFAULT_SORT = '-updatedAt';

/** The queue's filters, as they live in the URL (shareable, survives reload, back button works). */
export interface QueueFilters {
  status: TicketStatus[];
  priority: TicketPriority[];
  /** `me`, `unassigned`, a user id, or null for anyone. */
  assignee: string | null;
  team: string | null;
  tag: string;
  breached: boolean;
  q: string;
  sort: string;
  /** Custom field filters by key (`field.<key>=<value>` in the URL and the API). */
  fields?: Record<string, string>;
  /** A saved view's id: its filters and sort, the filters here replacing its own one by one (GET /tickets?view=). */
  view?: string | null;
}

const FIELD_PARAM = /^field\.([a-z][a-z0-9_]*)$/;

const list = <T extends string>(value: string | null, allowed: readonly T[]): T[] =>
  (value ?? '')
    .split(',')
    .filter((item): item is T => (allowed as readonly string[]).includes(item));

export function filtersFromSearch(params: URLSearchParams): QueueFilters {
  const sort = params.get('sort');
  const view = params.get('view');
  return {
    ...(view ? { view } : {}),
    status: list(params.get('status'), STATUSES),
    priority: list(params.get('priority'), PRIORITIES),
    assignee: params.get('assignee') || null,
    team: params.get('team') || null,
    tag: params.get('tag') ?? '',
    breached: params.get('breached') === 'true',
    q: params.get('q') ?? '',
    sort: sort && (SORTS as readonly string[]).includes(sort) ? sort : DEFAULT_SORT,
    fields: Object.fromEntries([...params].flatMap(([name, value]) => {
      const key = FIELD_PARAM.exec(name)?.[1];
      return key && value ? [[key, value]] : [];
    })),
  };
}

/** Only what differs from the defaults, in a stable order, so equal filters give equal URLs. */
export function searchFromFilters(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.view) params.set('view', filters.view);
  if (filters.status.length) params.set('status', filters.status.join(','));
  if (filters.priority.length) params.set('priority', filters.priority.join(','));
  if (filters.assignee) params.set('assignee', filters.assignee);
  if (filters.team) params.set('team', filters.team);
  if (filters.tag.trim()) params.set('tag', filters.tag.trim());
  if (filters.breached) params.set('breached', 'true');
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.sort !== DEFAULT_SORT) params.set('sort', filters.sort);
  for (const key of Object.keys(filters.fields ?? {}).sort()) if (filters.fields?.[key]) params.set(`field.${key}`, filters.fields[key]);
  return params;
}

/** GET /tickets parameters: `me` becomes the caller's id and `unassigned` the API's `none`. */
export function apiQueryFromFilters(filters: QueueFilters, myUserId: string): TicketListQuery {
  const assigneeId = filters.assignee === 'me' ? myUserId : filters.assignee === 'unassigned' ? 'none' : (filters.assignee ?? undefined);
  return {
    ...(filters.status.length ? { status: filters.status.join(',') } : {}),
    ...(filters.priority.length ? { priority: filters.priority.join(',') } : {}),
    ...(assigneeId ? { assigneeId } : {}),
    ...(filters.team ? { teamId: filters.team } : {}),
    ...(filters.tag.trim() ? { tag: filters.tag.trim() } : {}),
    ...(filters.breached ? { breached: true } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
    ...Object.fromEntries(Object.entries(filters.fields ?? {}).map(([key, value]) => [`field.${key}`, value])),
    ...(filters.view ? { view: filters.view } : {}),
    // A view keeps its own order unless another one is picked.
    ...(filters.view && filters.sort === DEFAULT_SORT ? {} : { sort: filters.sort }),
    limit: 50,
  };
}

/**
 * The filters shown, as a view's saved query: `me` stays `me` (resolved for whoever reads the view),
 * `unassigned` is the API's `none`; on top of the open view's own query, as GET /tickets?view= combines them.
 */
export function viewQueryFromFilters(filters: QueueFilters, base?: { query: TicketFilterQuery; sort: string | null }): { query: TicketFilterQuery; sort: string | null } {
  const assigneeId = filters.assignee === 'unassigned' ? 'none' : (filters.assignee ?? undefined);
  const fields = { ...base?.query.fields, ...filters.fields };
  const query: TicketFilterQuery = {
    ...base?.query,
    ...(filters.status.length ? { status: filters.status } : {}),
    ...(filters.priority.length ? { priority: filters.priority } : {}),
    ...(assigneeId ? { assigneeId } : {}),
    ...(filters.team ? { teamId: filters.team } : {}),
    ...(filters.tag.trim() ? { tag: filters.tag.trim() } : {}),
    ...(filters.breached ? { breached: true } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
  };
  if (Object.keys(fields).length > 0) query.fields = fields;
  else delete query.fields;
  const sort = base && filters.sort === DEFAULT_SORT ? base.sort : filters.sort;
  return { query, sort };
}
