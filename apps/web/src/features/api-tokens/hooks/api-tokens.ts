import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createApiToken, listApiTokens, revokeApiToken } from '../api/api-tokens';

/** The tokens a page at a time (Load more fetches the next). */
export const useApiTokens = () =>
  useInfiniteQuery({
    queryKey: queryKeys.apiTokens,
    queryFn: ({ pageParam, signal }) => listApiTokens(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

function useTokenMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.apiTokens }) });
}

export const useCreateApiToken = () => useTokenMutation(createApiToken);
export const useRevokeApiToken = () => useTokenMutation(revokeApiToken);
