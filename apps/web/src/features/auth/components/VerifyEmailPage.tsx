import { Alert, Anchor, Loader } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { verifyEmail } from '../api/auth';
import { AuthLayout } from './AuthLayout';

/** The signup verification mail's link posts its token once. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  const { mutate, isSuccess, isError, error } = useMutation({ mutationFn: verifyEmail });
  // The token is single-use: post it once, even when StrictMode runs the effect twice in development.
  const posted = useRef<string | null>(null);
  useEffect(() => {
    if (token && posted.current !== token) {
      posted.current = token;
      mutate({ token });
    }
  }, [token, mutate]);
  return (
    <AuthLayout
      title={t.auth.verifyTitle}
      footer={
        <Anchor component={Link} to="/login" size="sm">
          {t.auth.backToLogin}
        </Anchor>
      }
    >
      {!token ? <Alert color="red">{t.auth.missingToken}</Alert> : null}
      {token && isSuccess ? <Alert color="green" role="status">{t.auth.verified}</Alert> : null}
      {token && isError ? <Alert color="red" role="alert">{describeError(error)}</Alert> : null}
      {token && !isSuccess && !isError ? <Loader role="status" aria-label={t.common.loading} /> : null}
    </AuthLayout>
  );
}
