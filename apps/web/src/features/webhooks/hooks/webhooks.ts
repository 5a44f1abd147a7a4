import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, redeliver, sendTestEvent, updateWebhook } from '../api/webhooks';

export const useWebhooks = () => useQuery({ queryKey: queryKeys.webhooks, queryFn: ({ signal }) => listWebhooks(signal) });

/** The log moves while deliveries are retried: looked at again every few seconds while open. */
export const useWebhookDeliveries = (webhookId: string) =>
  useQuery({ queryKey: queryKeys.webhookDeliveries(webhookId), queryFn: ({ signal }) => listDeliveries(webhookId, signal), refetchInterval: 3_000 });

/** Every change refreshes the webhooks and their delivery logs (a test or redelivery adds a row). */
function useWebhookMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.webhooks }) });
}

export const useCreateWebhook = () => useWebhookMutation(createWebhook);
export const useUpdateWebhook = () => useWebhookMutation(updateWebhook);
export const useDeleteWebhook = () => useWebhookMutation(deleteWebhook);
export const useSendTestEvent = () => useWebhookMutation(sendTestEvent);
export const useRedeliver = () => useWebhookMutation(redeliver);
