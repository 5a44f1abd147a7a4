import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Role } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import {
  createSlaPolicy,
  createTeam,
  deactivateUser,
  deleteSlaPolicy,
  deleteTeam,
  inviteUser,
  replayDeadLetters,
  setTeamMembers,
  updateOrganization,
  updateSlaPolicy,
  updateUser,
  type SlaPolicyInput,
} from '../../directory/api/directory';

function useInvalidating<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>, key: readonly unknown[]) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }) });
}

export const useInviteUser = () => useInvalidating(inviteUser, queryKeys.users.all);
export const useUpdateUser = () => useInvalidating(({ id, ...changes }: { id: string; name?: string; role?: Role; active?: boolean }) => updateUser(id, changes), queryKeys.users.all);
export const useDeactivateUser = () => useInvalidating(deactivateUser, queryKeys.users.all);
export const useCreateTeam = () => useInvalidating(createTeam, queryKeys.teams);
export const useDeleteTeam = () => useInvalidating(deleteTeam, queryKeys.teams);
export const useSetTeamMembers = () => useInvalidating(({ id, memberIds }: { id: string; memberIds: string[] }) => setTeamMembers(id, memberIds), queryKeys.teams);
export const useCreateSlaPolicy = () => useInvalidating(createSlaPolicy, queryKeys.slaPolicies);
export const useUpdateSlaPolicy = () => useInvalidating(({ id, ...changes }: Partial<SlaPolicyInput> & { id: string }) => updateSlaPolicy(id, changes), queryKeys.slaPolicies);
export const useDeleteSlaPolicy = () => useInvalidating(deleteSlaPolicy, queryKeys.slaPolicies);
export const useUpdateOrganization = () => useInvalidating(updateOrganization, queryKeys.organization);
export const useReplayDeadLetters = () => useMutation({ mutationFn: replayDeadLetters });
