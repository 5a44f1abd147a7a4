import { useQuery } from '@tanstack/react-query';
import type { MeReply } from '@helpdesk/contracts';
import { meQuery } from './me-query';
import { useSession } from './session';

export function useMe() {
  const { status } = useSession();
  return useQuery({ ...meQuery, enabled: status === 'signed-in' });
}

/** The signed-in user; only inside RequireAuth, which waits for it. */
export function useCurrentUser(): MeReply {
  const { data } = useMe();
  if (!data) throw new Error('useCurrentUser outside RequireAuth');
  return data;
}

export const isStaffRole = (role: string) => role === 'admin' || role === 'agent';
