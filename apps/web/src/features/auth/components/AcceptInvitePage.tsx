import { Alert, Button, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { t } from '../../../i18n';
import { applyApiErrors } from '../../../lib/form-errors';
import { acceptInvite } from '../api/auth';
import { useSession } from '../hooks/session';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';
import { newPasswordRules, PasswordFields } from './PasswordFields';

/** The invitation mail's link: set a password, and the answer is a session. */
export function AcceptInvitePage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({ initialValues: { password: '', confirm: '' }, validate: newPasswordRules });
  const mutation = useMutation({
    mutationFn: acceptInvite,
    onSuccess: (session) => {
      signIn(session);
      void navigate('/tickets', { replace: true });
    },
    onError: (error) => setFormError(applyApiErrors(form, error)),
  });
  return (
    <AuthLayout title={t.auth.acceptInviteTitle}>
      {token ? (
        <form noValidate onSubmit={form.onSubmit((values) => mutation.mutate({ token, password: values.password }))}>
          <Stack>
            <FormError message={formError} />
            <PasswordFields form={form} />
            <Button type="submit" loading={mutation.isPending} fullWidth>
              {t.auth.acceptInvite}
            </Button>
          </Stack>
        </form>
      ) : (
        <Alert color="red">{t.auth.missingToken}</Alert>
      )}
    </AuthLayout>
  );
}
