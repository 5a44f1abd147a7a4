import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createView, deleteView, listViews, updateView, type ViewInput } from '../api/views';

function useInvalidating<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.views.all }) });
}

/**
 * The caller's views with their counts. Counts follow ticket changes through the realtime
 * provider's coalesced list refresh (which invalidates this key with the ticket lists), not a poll.
 */
export const useViews = (enabled = true) => useQuery({ queryKey: queryKeys.views.list, queryFn: ({ signal }) => listViews(signal), enabled, select: (page) => page.items });
export const useCreateView = () => useInvalidating(createView);
export const useUpdateView = () => useInvalidating(({ id, ...changes }: Partial<ViewInput> & { id: string }) => updateView(id, changes));
export const useDeleteView = () => useInvalidating(deleteView);
