import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createTicket, type TicketListQuery } from '../api/tickets';
import { ticketListQuery } from './ticket-list-query';

export function useTicketList(query: TicketListQuery) {
  return useInfiniteQuery(ticketListQuery(query));
}

export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTicket,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.lists }),
  });
}
