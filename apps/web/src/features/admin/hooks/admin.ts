import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TeamAssignment } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import {
  createSlaPolicy,
  createTeam,
  deactivateUser,
  deleteSlaPolicy,
  deleteTeam,
  inviteUser,
  resendInvitation,
  setTeamMembers,
  updateOrganization,
  updateSlaPolicy,
  updateTeam,
  updateUser,
  type SlaPolicyInput,
  type UserChangesInput,
} from '../../directory/api/directory';
import { getDeadLetter, listDeadLetters, replayDeadLetters } from '../api/dead-letters';
import { createMailbox, deleteMailbox, listMailboxes, rotateMailboxToken, updateMailbox, type MailboxInput } from '../api/mailboxes';

function useInvalidating<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>, key: readonly unknown[]) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }) });
}

export const useInviteUser = () => useInvalidating(inviteUser, queryKeys.users.all);
export const useUpdateUser = () => useInvalidating(({ id, ...changes }: UserChangesInput & { id: string }) => updateUser(id, changes), queryKeys.users.all);
export const useDeactivateUser = () => useInvalidating(deactivateUser, queryKeys.users.all);
export const useCreateTeam = () => useInvalidating(createTeam, queryKeys.teams);
export const useUpdateTeam = () => useInvalidating(({ id, ...changes }: { id: string; name?: string; assignment?: TeamAssignment }) => updateTeam(id, changes), queryKeys.teams);
export const useDeleteTeam = () => useInvalidating(deleteTeam, queryKeys.teams);
export const useSetTeamMembers = () => useInvalidating(({ id, memberIds }: { id: string; memberIds: string[] }) => setTeamMembers(id, memberIds), queryKeys.teams);
export const useCreateSlaPolicy = () => useInvalidating(createSlaPolicy, queryKeys.slaPolicies);
export const useUpdateSlaPolicy = () => useInvalidating(({ id, ...changes }: Partial<SlaPolicyInput> & { id: string }) => updateSlaPolicy(id, changes), queryKeys.slaPolicies);
export const useDeleteSlaPolicy = () => useInvalidating(deleteSlaPolicy, queryKeys.slaPolicies);
export const useUpdateOrganization = () => useInvalidating(updateOrganization, queryKeys.organization);
export const useResendInvitation = () => useInvalidating(resendInvitation, queryKeys.users.all);

/**
 * Status (last poll, errors, counts) changes without anyone saving: read again every half minute
 * while shown, and every few seconds while a new IMAP mailbox awaits its first read.
 */
export const useMailboxes = () =>
  useQuery({
    queryKey: queryKeys.mailboxes,
    queryFn: ({ signal }) => listMailboxes(signal),
    refetchInterval: (query) => (query.state.data?.items.some((mailbox) => mailbox.imap && !mailbox.status.lastPollAt && !mailbox.status.lastError) ? 3_000 : 30_000),
  });
export const useCreateMailbox = () => useInvalidating(createMailbox, queryKeys.mailboxes);
export const useUpdateMailbox = () => useInvalidating(({ id, ...changes }: MailboxInput & { id: string }) => updateMailbox(id, changes), queryKeys.mailboxes);
export const useDeleteMailbox = () => useInvalidating(deleteMailbox, queryKeys.mailboxes);
export const useRotateMailboxToken = () => useInvalidating(rotateMailboxToken, queryKeys.mailboxes);

/** Replayed deliveries are no longer dead: the list and any open detail are read again. */
export const useReplayDeadLetters = () => useInvalidating(replayDeadLetters, queryKeys.deadLetters.all);

export function useDeadLetters() {
  return useInfiniteQuery({
    queryKey: queryKeys.deadLetters.list,
    queryFn: ({ pageParam, signal }) => listDeadLetters(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

/** One dead letter in full, while `id` is set (the detail drawer is open). */
export function useDeadLetter(id: string | null) {
  return useQuery({ queryKey: queryKeys.deadLetters.detail(id ?? ''), queryFn: ({ signal }) => getDeadLetter(id!, signal), enabled: id !== null, retry: false });
}
