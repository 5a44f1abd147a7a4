import { useQuery } from '@tanstack/react-query';
import type { MeReply } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import { getMe } from '../api/auth';
import { useSession } from './session';

export function useMe() {
  const { status } = useSession();
  return useQuery({ queryKey: queryKeys.me, queryFn: getMe, enabled: status === 'signed-in', staleTime: 5 * 60_000 });
}

/** The signed-in user; only inside RequireAuth, which waits for it. */
export function useCurrentUser(): MeReply {
  const { data } = useMe();
  if (!data) throw new Error('useCurrentUser outside RequireAuth');
  return data;
}

export const isStaffRole = (role: string) => role === 'admin' || role === 'agent';
