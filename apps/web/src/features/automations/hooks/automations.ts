import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createAutomation, deleteAutomation, listAutomations, previewAutomation, updateAutomation, type AutomationInput } from '../api/automations';

function useInvalidating<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  // Returning the refetch makes mutateAsync settle once the list shows the change.
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.automations.all }) });
}

export const useAutomations = () => useQuery({ queryKey: queryKeys.automations.list, queryFn: ({ signal }) => listAutomations(signal) });
export const useCreateAutomation = () => useInvalidating(createAutomation);
export const useUpdateAutomation = () => useInvalidating(({ id, ...changes }: Partial<AutomationInput> & { id: string }) => updateAutomation(id, changes));
export const useDeleteAutomation = () => useInvalidating(deleteAutomation);

/** Read fresh each time the preview opens: it is "now", and it is never cached for later. */
export const useAutomationPreview = (automationId: string | null) =>
  useQuery({ queryKey: queryKeys.automations.preview(automationId ?? ''), queryFn: ({ signal }) => previewAutomation(automationId!, signal), enabled: automationId !== null, retry: false, gcTime: 0 });
