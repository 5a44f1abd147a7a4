import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import type { Page, TicketView } from '@helpdesk/contracts';
import { ApiError } from '../../../lib/api-error';
import { queryKeys } from '../../../lib/query-keys';
import { createComment, getTicket, listAttachments, listComments, listHistory, listTickets, updateTicket, type TicketChanges } from '../../tickets/api/tickets';
import { summarizeTicket, suggestReply } from '../api/ai';

const ticketQuery = (id: string) => queryOptions({ queryKey: queryKeys.tickets.detail(id), queryFn: ({ signal }) => getTicket(id, signal) });

/** The conversation's first page (more on demand), shared by useComments and the prefetch. */
const commentsQuery = (id: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.tickets.comments(id),
    queryFn: ({ pageParam }) => listComments(id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

/** The ticket as a cached list shows it (the queue's pages, or a requester's recent tickets): list items are full ticket views. */
export function ticketFromLists(queryClient: QueryClient, id: string): TicketView | undefined {
  for (const [, data] of queryClient.getQueriesData<InfiniteData<Page<TicketView>> | Page<TicketView>>({ queryKey: queryKeys.tickets.lists })) {
    const pages = data ? ('pages' in data ? data.pages : [data]) : [];
    for (const page of pages) {
      const found = page.items.find((ticket) => ticket.id === id);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The ticket. Opened from a list, its row's data is shown at once (as placeholder data, while the
 * ticket itself is fetched), so the page and its conversation request do not wait for that fetch.
 */
export function useTicket(id: string) {
  const queryClient = useQueryClient();
  return useQuery({ ...ticketQuery(id), placeholderData: () => ticketFromLists(queryClient, id) });
}

/**
 * Fetches a ticket and its conversation ahead of a likely click, once the pointer has rested on its
 * row (or focus on its link) for `delayMs`: sweeping across the queue asks for nothing, since the
 * API's per-user rate limit counts every request. Fresh cache entries are not asked again.
 */
export function usePrefetchTicketOnIntent(delayMs = 150): { intent(id: string): void; cancel(): void } {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const intent = useCallback(
    (id: string) => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        void queryClient.prefetchQuery(ticketQuery(id));
        void queryClient.prefetchInfiniteQuery(commentsQuery(id));
      }, delayMs);
    },
    [queryClient, delayMs],
  );
  const cancel = useCallback(() => clearTimeout(timer.current), []);
  return { intent, cancel };
}

function usePagedList<T>(key: readonly unknown[], load: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>, enabled = true) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => load(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled,
  });
  return { ...query, items: query.data?.pages.flatMap((page) => page.items) ?? [] };
}

/** Filled by socket events only (see applyRealtimeEvent); never fetched. */
export const useLastChangedBy = (id: string) =>
  useQuery<string | null>({ queryKey: queryKeys.tickets.lastChangedBy(id), queryFn: () => null, enabled: false, initialData: null, staleTime: Infinity }).data;

export function useComments(id: string) {
  const query = useInfiniteQuery(commentsQuery(id));
  return { ...query, items: query.data?.pages.flatMap((page) => page.items) ?? [] };
}
export const useHistory = (id: string, enabled: boolean) => usePagedList(queryKeys.tickets.history(id), (cursor) => listHistory(id, cursor), enabled);
export const useAttachments = (id: string) => usePagedList(queryKeys.tickets.attachments(id), (cursor) => listAttachments(id, cursor));

export const useRequesterTickets = (requesterId: string | undefined, enabled: boolean) =>
  useQuery({
    queryKey: queryKeys.tickets.list({ requesterId, limit: 6, sort: '-updatedAt' }),
    queryFn: () => listTickets({ requesterId, limit: 6, sort: '-updatedAt' }),
    enabled: enabled && Boolean(requesterId),
  });

/** A stale If-Match: the ticket changed since it was loaded. */
export const isConflict = (error: unknown) => error instanceof ApiError && (error.status === 409 || error.status === 412);

/** Saves changes against the version the person saw; the answer replaces the cached ticket. */
export function useUpdateTicket(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ version, changes }: { version: number; changes: TicketChanges }) => updateTicket(id, version, changes),
    onSuccess: (ticket) => {
      queryClient.setQueryData<TicketView>(queryKeys.tickets.detail(id), ticket);
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.lists });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.history(id) });
    },
  });
}

export function useAddComment(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { body: string; internal: boolean }) => createComment(id, body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.comments(id) });
      // A reply changes the status and SLA clocks; exact, so the attachments are not refetched too.
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.detail(id), exact: true });
    },
  });
}

export const useSummary = (id: string) => useMutation({ mutationFn: () => summarizeTicket(id) });
export const useSuggestedReply = (id: string) => useMutation({ mutationFn: () => suggestReply(id) });
