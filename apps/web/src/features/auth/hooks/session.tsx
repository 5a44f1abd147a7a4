import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { restoreSession } from '../../../app/early-start';
import { api } from '../../../lib/api';
import type { SessionReply } from '../../../lib/api-client';
import { logout } from '../api/auth';

export type SessionStatus = 'restoring' | 'signed-in' | 'signed-out';

interface SessionContextValue {
  status: SessionStatus;
  /** True when the session ended by itself (expired, revoked) rather than by logging out. */
  expired: boolean;
  signIn(session: SessionReply): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Restores the session from the refresh cookie on load, and drops all cached data when it ends. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<SessionStatus>('restoring');
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    let cancelled = false;
    const stop = api.onSessionEnded(() => {
      queryClient.clear();
      setExpired(true);
      setStatus('signed-out');
    });
    // Started at load by the early start; a session that ended since (its token gone) is signed out.
    void restoreSession().then((restored) => {
      if (!cancelled) setStatus(restored && api.getAccessToken() ? 'signed-in' : 'signed-out');
    });
    return () => {
      cancelled = true;
      stop();
    };
  }, [queryClient]);

  const signIn = useCallback((session: SessionReply) => {
    api.setSession(session);
    setExpired(false);
    setStatus('signed-in');
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      api.clearSession();
      queryClient.clear();
      setExpired(false);
      setStatus('signed-out');
    }
  }, [queryClient]);

  const value = useMemo(() => ({ status, expired, signIn, signOut }), [status, expired, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const context = useContext(SessionContext);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
}
