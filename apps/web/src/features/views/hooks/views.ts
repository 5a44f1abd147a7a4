import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page, QueueView } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import { createView, deleteView, listViews, updateView, type ViewInput } from '../api/views';
import { withPositions } from '../utils/view-order';

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
export const useDeleteView = () => useInvalidating(deleteView);

/** Renames, shares or refilters a view; new filters or sort also refresh the ticket lists (a queue open on the view lists other tickets now). */
export function useUpdateView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: Partial<ViewInput> & { id: string }) => updateView(id, changes),
    onSuccess: (_saved, changes) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.views.all });
      if (changes.query !== undefined || changes.sort !== undefined) void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.lists });
    },
  });
}

const MOVE_VIEW = ['views', 'move'] as const;

/**
 * Writes new sidebar positions (see positionsAfterMove). The sidebar shows the new order at once;
 * the positions are written one view at a time, moves one after another; once the last move is
 * done (or one failed: `onError` hears of each failure) the sidebar reads the order the server has.
 */
export function useMoveView(onError: (error: unknown) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: MOVE_VIEW,
    onError,
    scope: { id: MOVE_VIEW.join('.') },
    mutationFn: async (changes: Array<{ id: string; position: number }>) => {
      for (const change of changes) await updateView(change.id, { position: change.position });
    },
    onMutate: async (changes) => {
      await queryClient.cancelQueries({ queryKey: queryKeys.views.list });
      queryClient.setQueryData<Page<QueueView>>(queryKeys.views.list, (page) => (page ? { ...page, items: withPositions(page.items, changes) } : page));
    },
    // A refetch between two quick moves would put back an order the next move already changed.
    onSettled: () => (queryClient.isMutating({ mutationKey: MOVE_VIEW }) === 1 ? queryClient.invalidateQueries({ queryKey: queryKeys.views.all }) : undefined),
  });
}
