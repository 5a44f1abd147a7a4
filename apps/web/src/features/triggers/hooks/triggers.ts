import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TriggerView } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import { createTrigger, deleteTrigger, listTriggers, updateTrigger, type TriggerInput } from '../api/triggers';

function useInvalidating<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  // Returning the refetch makes mutateAsync settle once the list shows the change.
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.triggers }) });
}

export const useTriggers = () => useQuery({ queryKey: queryKeys.triggers, queryFn: ({ signal }) => listTriggers(signal) });
export const useCreateTrigger = () => useInvalidating(createTrigger);
export const useUpdateTrigger = () => useInvalidating(({ id, ...changes }: Partial<TriggerInput> & { id: string; position?: number }) => updateTrigger(id, changes));
export const useDeleteTrigger = () => useInvalidating(deleteTrigger);

/**
 * Moves a trigger one place up or down: the list is renumbered 0, 1, 2... in its new order, and only
 * the triggers whose position changes are written.
 */
export function useMoveTrigger() {
  return useInvalidating(async ({ triggers, index, by }: { triggers: TriggerView[]; index: number; by: -1 | 1 }) => {
    const order = [...triggers];
    const [moved] = order.splice(index, 1);
    order.splice(index + by, 0, moved!);
    for (const [position, trigger] of order.entries()) {
      if (trigger.position !== position) await updateTrigger(trigger.id, { position });
    }
  });
}
