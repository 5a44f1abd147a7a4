import type { QueueView, TicketFilterQuery } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { viewQueryFromFilters, type QueueFilters } from '../../tickets/hooks/queue-filters';

/** A view's filters and sort, as saved (`sort` null: the list's default order, newest first). */
export interface ViewFilters {
  query: TicketFilterQuery;
  sort: string | null;
}

/** What GET /tickets sorts by when a view has no sort of its own. */
const LIST_DEFAULT_SORT = '-createdAt';

/** A view's saved filters in the queue's filter controls (the API's `none` is the controls' `unassigned`). */
export function editorFiltersFromView({ query, sort }: ViewFilters): QueueFilters {
  return {
    status: query.status ?? [],
    priority: query.priority ?? [],
    assignee: query.assigneeId === 'none' ? 'unassigned' : (query.assigneeId ?? null),
    team: query.teamId ?? null,
    tag: query.tag ?? '',
    breached: query.breached === true,
    q: query.q ?? '',
    sort: sort ?? LIST_DEFAULT_SORT,
    fields: query.fields ?? {},
  };
}

/**
 * The filter controls' values as a view's saved query, replacing the old one. What the controls
 * cannot show (a requester, "not breached", set through the API) is kept as it was.
 */
export function viewFiltersFromEditor(filters: QueueFilters, before: ViewFilters): ViewFilters {
  const kept: TicketFilterQuery = {
    ...(before.query.requesterId ? { requesterId: before.query.requesterId } : {}),
    ...(before.query.breached === false && !filters.breached ? { breached: false } : {}),
  };
  // A view without a sort of its own keeps none while the controls show the list's default.
  const sort = before.sort === null && filters.sort === LIST_DEFAULT_SORT ? null : filters.sort;
  return { query: { ...kept, ...viewQueryFromFilters(filters).query }, sort };
}

/** How a filter's value reads in the list of changes; ids are named by the caller (the people and teams it knows). */
export interface ValueNames {
  assignee(id: string): string;
  team(id: string): string;
  field(key: string): string;
}

export interface FilterChange {
  filter: string;
  from: string;
  to: string;
}

const joined = (values: readonly string[] | undefined, label: (value: string) => string) => (values?.length ? [...values].sort().map(label).join(', ') : '');

/**
 * Every filter whose value differs between `before` and `after`, named and valued as the person
 * sees them (an absent filter reads "Any"). Empty: saving would not change what the view lists.
 */
export function filterChanges(before: ViewFilters, after: ViewFilters, names: ValueNames): FilterChange[] {
  const any = t.queue.anyValue;
  const assignee = (id: string | undefined) => (id === undefined ? '' : id === 'me' ? t.queue.me : id === 'none' ? t.queue.unassigned : names.assignee(id));
  const breached = (value: boolean | undefined) => (value === undefined ? '' : value ? t.views.breachedOnly : t.views.notBreached);
  const sort = (value: string | null) => {
    const key = value ?? LIST_DEFAULT_SORT;
    return (t.queue.sorts as Record<string, string>)[key] ?? key;
  };
  const rows: Array<[string, string, string]> = [
    [t.queue.status, joined(before.query.status, (value) => t.status[value as keyof typeof t.status]), joined(after.query.status, (value) => t.status[value as keyof typeof t.status])],
    [t.queue.priority, joined(before.query.priority, (value) => t.priority[value as keyof typeof t.priority]), joined(after.query.priority, (value) => t.priority[value as keyof typeof t.priority])],
    [t.queue.assignee, assignee(before.query.assigneeId), assignee(after.query.assigneeId)],
    [t.queue.team, before.query.teamId ? names.team(before.query.teamId) : '', after.query.teamId ? names.team(after.query.teamId) : ''],
    [t.queue.tag, before.query.tag ?? '', after.query.tag ?? ''],
    [t.views.breached, breached(before.query.breached), breached(after.query.breached)],
    [t.queue.search, before.query.q ?? '', after.query.q ?? ''],
    ...[...new Set([...Object.keys(before.query.fields ?? {}), ...Object.keys(after.query.fields ?? {})])]
      .sort()
      .map((key): [string, string, string] => [names.field(key), before.query.fields?.[key] ?? '', after.query.fields?.[key] ?? '']),
    [t.queue.sort, sort(before.sort), sort(after.sort)],
  ];
  return rows.filter(([, from, to]) => from !== to).map(([filter, from, to]) => ({ filter, from: from || any, to: to || any }));
}
