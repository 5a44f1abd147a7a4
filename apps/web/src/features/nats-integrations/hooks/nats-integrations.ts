import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createNatsIntegration, listNatsIntegrations, revokeNatsIntegration } from '../api/nats-integrations';

/** The integrations a page at a time (Load more fetches the next). */
export const useNatsIntegrations = () =>
  useInfiniteQuery({
    queryKey: queryKeys.natsIntegrations,
    queryFn: ({ pageParam, signal }) => listNatsIntegrations(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

function useIntegrationMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.natsIntegrations }) });
}

export const useCreateNatsIntegration = () => useIntegrationMutation(createNatsIntegration);
export const useRevokeNatsIntegration = () => useIntegrationMutation(revokeNatsIntegration);
