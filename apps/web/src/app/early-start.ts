import type { QueryClient } from '@tanstack/react-query';
import { meQuery } from '../features/auth/hooks/me-query';
import { apiQueryFromFilters, filtersFromSearch } from '../features/tickets/hooks/queue-filters';
import { ticketListQuery } from '../features/tickets/hooks/ticket-list-query';
import { api } from '../lib/api';
import { createQueryClient } from './query-client';
import { loadQueuePage, loadShell } from './route-chunks';

/** Pages for signed-out visitors: they need neither `/me` nor the workspace's code. */
const PUBLIC_PATHS = new Set(['/login', '/signup', '/reset-password', '/accept-invite', '/verify-email']);
/** The satisfaction survey's page, `/rate/<token>`: public too. */
const isPublicPath = (path: string) => PUBLIC_PATHS.has(path) || path.startsWith('/rate/');
/** `/` redirects to the queue. */
const QUEUE_PATHS = new Set(['/', '/tickets']);

/** The signed-in frame's chunk, and the queue's on the queue. */
function preloadChunks(onQueue: boolean): void {
  // The routes report a chunk that fails to load; here it would only be an unhandled rejection.
  loadShell().catch(() => undefined);
  if (onQueue) loadQueuePage().catch(() => undefined);
}

let started: { queryClient: QueryClient; session: Promise<boolean> } | null = null;

/**
 * Run by `src/early-start.ts`, before React, Mantine and the app's modules are evaluated: restores
 * the session from the refresh cookie at once, then asks for `/me` and, on the queue, its first page
 * (for the URL's filters) in parallel, into the query cache the app will use, so the components find
 * them in flight or answered instead of asking one after another. On an app route it also starts
 * loading the signed-in frame's chunk (and the queue's), which would otherwise wait for the session.
 */
export function startEarly(location: { pathname: string; search: string }, preload = preloadChunks): void {
  const queryClient = createQueryClient();
  const session = api.refresh();
  started = { queryClient, session };
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (isPublicPath(path)) return;
  const onQueue = QUEUE_PATHS.has(path);
  preload(onQueue);
  void session.then(async (restored) => {
    if (!restored) return;
    // Prefetches record failures in the cache without throwing; the components then ask again.
    const me = queryClient.prefetchQuery(meQuery);
    if (!onQueue) return;
    // `/` redirects to `/tickets` without its query string.
    const filters = filtersFromSearch(new URLSearchParams(path === '/' ? '' : location.search));
    // "Assigned to me" needs the caller's id; every other filter can go with `/me`.
    if (filters.assignee === 'me') await me;
    const myUserId = queryClient.getQueryData(meQuery.queryKey)?.user.id;
    if (filters.assignee === 'me' && !myUserId) return;
    void queryClient.prefetchInfiniteQuery(ticketListQuery(apiQueryFromFilters(filters, myUserId ?? '')));
  });
}

/** The query cache the early start is filling, or a new one (tests, or no early start). */
export function takeQueryClient(): QueryClient {
  return started?.queryClient ?? createQueryClient();
}

/** The session restore started at load; without an early start (tests), a refresh now. */
export function restoreSession(): Promise<boolean> {
  return started?.session ?? api.refresh();
}
