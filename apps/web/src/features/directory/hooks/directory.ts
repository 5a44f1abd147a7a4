import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { PublicUserView, UserView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { queryKeys } from '../../../lib/query-keys';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { ApiError } from '../../../lib/api-error';
import { getOrganization, getUser, listActiveStaff, listSlaPolicies, listTeams, listUsers, USER_IDS_PER_REQUEST } from '../api/directory';
import { createUserBatcher } from '../api/user-batcher';

export function useUsers(params: { q?: string } = {}, enabled = true) {
  return useQuery({ queryKey: queryKeys.users.list(params), queryFn: () => listUsers(params), enabled, staleTime: 60_000 });
}

export function useTeams(enabled = true) {
  return useQuery({ queryKey: queryKeys.teams, queryFn: listTeams, enabled, staleTime: 60_000 });
}

export function useOrganization(enabled = true) {
  return useQuery({ queryKey: queryKeys.organization, queryFn: getOrganization, enabled, staleTime: 5 * 60_000 });
}

export function useSlaPolicies() {
  return useQuery({ queryKey: queryKeys.slaPolicies, queryFn: listSlaPolicies });
}

/** One GET /users?ids= for the ids staff ask about within a few milliseconds (see createUserBatcher). */
const loadUserForStaff = createUserBatcher(async (ids) => (await listUsers({ ids, limit: USER_IDS_PER_REQUEST })).items, USER_IDS_PER_REQUEST);

/** A customer's GET /users/:id answers 404 for anyone but staff: that person is simply not named. */
async function loadUserForCustomer(id: string): Promise<PublicUserView | null> {
  try {
    return await getUser(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** Who a user id stands for: `null` when the caller may not know (or nobody is). */
type KnownUser = UserView | PublicUserView | null;

/**
 * Names for user ids. Staff (admins and agents) load the active staff for the assignee picker and
 * the users behind `shownIds` (batched GET /users?ids=); customers ask GET /users/:id for each, and
 * the API names only staff to them. Each id is cached on its own (queryKeys.users.detail).
 */
export function useUserDirectory(shownIds: ReadonlyArray<string | null | undefined> = []) {
  return useUserDirectoryOf(useCurrentUser().user, shownIds);
}

/** Per looked-up id: the user, null when it cannot be named, undefined while loading. Stable across renders while the answers are (TanStack memoises combine). */
const lookupOutcomes = (results: Array<{ isSuccess: boolean; isError: boolean; data?: KnownUser }>): KnownUser[] =>
  results.map((result) => (result.isSuccess ? (result.data ?? null) : result.isError ? null : undefined) as KnownUser);

/** useUserDirectory for a given signed-in user (tests render it without a session). */
export function useUserDirectoryOf(me: UserView, shownIds: ReadonlyArray<string | null | undefined>) {
  const staffCaller = me.role !== 'customer';
  const staff = useQuery({ queryKey: queryKeys.users.staff, queryFn: listActiveStaff, enabled: staffCaller, staleTime: 60_000 });
  const listed = new Set((staff.data ?? []).map((user) => user.id)).add(me.id);
  const missing = [...new Set(shownIds.filter((id): id is string => Boolean(id) && !listed.has(id!)))];
  const missingKey = missing.join(',');
  const outcomes = useQueries({
    queries: missing.map((id) => ({
      queryKey: queryKeys.users.detail(id),
      queryFn: (): Promise<KnownUser> => (staffCaller ? loadUserForStaff(id) : loadUserForCustomer(id)),
      staleTime: 5 * 60_000,
    })),
    combine: lookupOutcomes,
  });

  // Memoised on the answers, so nameOf and assignable keep their identity across renders (memoised queue rows).
  return useMemo(() => {
    const known = new Map<string, KnownUser>((staff.data ?? []).map((user) => [user.id, user]));
    known.set(me.id, me);
    missingKey.split(',').forEach((id, index) => {
      const outcome = outcomes[index];
      if (id && outcome !== undefined) known.set(id, outcome);
    });
    const nameOf = (id: string | null | undefined): string => {
      if (!id) return t.common.none;
      const user = known.get(id);
      if (user) return user.name;
      // A customer sees only their own tickets, so anyone else writing there is the organization's staff.
      if (!staffCaller) return t.common.supportTeam;
      // Still loading: a placeholder rather than a short id that flickers into a name.
      return known.has(id) ? t.common.unknownUser(id) : t.common.nameLoading;
    };
    return {
      nameOf,
      /** Active admins and agents, by name (the caller too, before the list arrives): who a ticket can be assigned to. */
      assignable: staffCaller ? [...new Map([...(staff.data ?? []), ...(me.active ? [me] : [])].map((user) => [user.id, user])).values()] : [],
    };
  }, [staff.data, me, staffCaller, missingKey, outcomes]);
}
