import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createNatsIntegration, listNatsIntegrations, revokeNatsIntegration } from '../api/nats-integrations';

export const useNatsIntegrations = () => useQuery({ queryKey: queryKeys.natsIntegrations, queryFn: ({ signal }) => listNatsIntegrations(signal) });

function useIntegrationMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.natsIntegrations }) });
}

export const useCreateNatsIntegration = () => useIntegrationMutation(createNatsIntegration);
export const useRevokeNatsIntegration = () => useIntegrationMutation(revokeNatsIntegration);
