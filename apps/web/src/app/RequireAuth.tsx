import { Alert, Button, Center, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../features/auth/hooks/session';
import { useMe } from '../features/auth/hooks/useMe';
import { t } from '../i18n';
import { describeError } from '../lib/errors';
import { loginPathFor } from '../lib/return-path';
import { PageLoader } from './PageLoader';

/** Sends a signed-out visitor to the login page, keeping where they were going; waits for `/me` otherwise. */
export function RequireAuth({ children, roles }: { children: ReactNode; roles?: string[] }) {
  const { status } = useSession();
  const location = useLocation();
  const me = useMe();
  if (status === 'restoring') return <PageLoader />;
  if (status === 'signed-out') return <Navigate to={loginPathFor(location)} replace />;
  if (me.isPending) return <PageLoader />;
  if (me.isError)
    return (
      <Center h="60vh">
        <Stack>
          <Alert color="red">{describeError(me.error)}</Alert>
          <Button onClick={() => void me.refetch()}>{t.common.retry}</Button>
        </Stack>
      </Center>
    );
  if (roles && !roles.includes(me.data.user.role)) return <Alert color="red" m="md">{t.admin.adminOnly}</Alert>;
  return <>{children}</>;
}
