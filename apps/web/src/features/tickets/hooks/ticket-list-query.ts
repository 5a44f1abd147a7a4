import { infiniteQueryOptions } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { listTickets, type TicketListQuery } from '../api/tickets';

/** The queue's pages for `query`, shared by useTicketList and the early start (app/early-start.ts). */
export const ticketListQuery = (query: TicketListQuery) =>
  infiniteQueryOptions({
    queryKey: queryKeys.tickets.list(query),
    queryFn: ({ pageParam, signal }) => listTickets(query, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
