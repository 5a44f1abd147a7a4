import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { UserView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { queryKeys } from '../../../lib/query-keys';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { getOrganization, listSlaPolicies, listTeams, listUsers } from '../api/directory';

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

/**
 * Names for user ids. Only admins may list users (GET /users), so agents and customers see their
 * own name and a short id for others.
 */
export function useUserDirectory() {
  const me = useCurrentUser();
  const isAdmin = me.user.role === 'admin';
  const users = useUsers({}, isAdmin);
  // Memoised on the data, so nameOf and assignable keep their identity across renders (memoised queue rows).
  return useMemo(() => {
    const byId = new Map<string, UserView>((users.data?.items ?? []).map((user) => [user.id, user]));
    byId.set(me.user.id, me.user);
    return {
      users: [...byId.values()],
      // A customer sees only their own tickets, so anyone else writing there is the organization's staff.
      nameOf: (id: string | null | undefined) => (id ? (byId.get(id)?.name ?? (me.user.role === 'customer' ? t.common.supportTeam : t.common.unknownUser(id))) : t.common.none),
      /** Staff who can be assigned: from the user list for admins, else only the caller. */
      assignable: [...byId.values()].filter((user) => user.active && user.role !== 'customer'),
    };
  }, [users.data, me.user]);
}
