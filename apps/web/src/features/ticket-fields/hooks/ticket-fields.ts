import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { archiveTicketField, createTicketField, listTicketFields, updateTicketField, type TicketFieldChanges } from '../api/ticket-fields';

/** The organization's custom fields (staff only); archived ones too when asked, for the admin screen. */
export function useTicketFields(includeArchived = false, enabled = true) {
  return useQuery({ queryKey: queryKeys.ticketFields(includeArchived), queryFn: () => listTicketFields(includeArchived), enabled, staleTime: 60_000 });
}

function useFieldMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.ticketFieldsAll }) });
}

export const useCreateTicketField = () => useFieldMutation(createTicketField);
export const useUpdateTicketField = () => useFieldMutation(({ id, ...changes }: TicketFieldChanges & { id: string }) => updateTicketField(id, changes));
export const useArchiveTicketField = () => useFieldMutation(archiveTicketField);
