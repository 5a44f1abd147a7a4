import type { Page } from '@helpdesk/contracts';
import { api } from './api';

/** The API's largest page (DESIGN section 6). */
export const ALL_PAGES_LIMIT = 100;

/**
 * Every item of a paged list (`{ items, nextCursor }`), following `nextCursor` a page of 100 at a
 * time: for the screens that need the whole list (team pickers, custom field forms, a ticket's links,
 * followers and participants), so none of them silently shows only the first page.
 */
export async function fetchAllPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(ALL_PAGES_LIMIT), ...(cursor ? { cursor } : {}) });
    const page: Page<T> = await api.call<Page<T>>(`${path}${path.includes('?') ? '&' : '?'}${query.toString()}`);
    items.push(...page.items);
    // A cursor that does not move would loop for ever; the API never answers one, but a proxy's cache might.
    if (page.nextCursor !== null && page.nextCursor === cursor) throw new Error(`${path} answered the same page twice`);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
