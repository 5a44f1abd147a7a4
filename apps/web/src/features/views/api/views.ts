import type { Page, QueueView, TicketFilterQuery } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { toQueryString } from '../../../lib/query-string';

const VIEWS = '/api/v1/views';
const id = (value: string) => encodeURIComponent(value);

export interface ViewInput {
  name: string;
  shared: boolean;
  query: TicketFilterQuery;
  sort: string | null;
}

/** An agent sees at most 50 personal and 100 shared views: the sidebar reads the first 100 by position. */
export const listViews = (signal?: AbortSignal) => api.call<Page<QueueView>>(`${VIEWS}${toQueryString({ limit: 100 })}`, { signal });
export const createView = (body: ViewInput) => api.call<QueueView>(VIEWS, { method: 'POST', body });
/** `position`: the view's place in the sidebar, ascending (see utils/view-order.ts). */
export const updateView = (viewId: string, changes: Partial<ViewInput> & { position?: number }) => api.call<QueueView>(`${VIEWS}/${id(viewId)}`, { method: 'PATCH', body: changes });
export const deleteView = (viewId: string) => api.call<unknown>(`${VIEWS}/${id(viewId)}`, { method: 'DELETE' });
