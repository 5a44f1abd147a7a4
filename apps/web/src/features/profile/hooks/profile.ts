import { useMutation, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { changePassword, updateMe } from '../../auth/api/auth';

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: updateMe, onSuccess: (me) => queryClient.setQueryData(queryKeys.me, me) });
}

export const useChangePassword = () => useMutation({ mutationFn: changePassword });
