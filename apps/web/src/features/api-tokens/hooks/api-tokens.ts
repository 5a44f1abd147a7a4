import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createApiToken, listApiTokens, revokeApiToken } from '../api/api-tokens';

export const useApiTokens = () => useQuery({ queryKey: queryKeys.apiTokens, queryFn: ({ signal }) => listApiTokens(signal) });

function useTokenMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.apiTokens }) });
}

export const useCreateApiToken = () => useTokenMutation(createApiToken);
export const useRevokeApiToken = () => useTokenMutation(revokeApiToken);
