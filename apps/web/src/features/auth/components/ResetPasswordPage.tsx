import { Alert, Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { t } from '../../../i18n';
import { applyApiErrors } from '../../../lib/form-errors';
import { confirmPasswordReset, requestPasswordReset } from '../api/auth';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';
import { newPasswordRules, PasswordFields } from './PasswordFields';

const backToLogin = (
  <Anchor component={Link} to="/login" size="sm">
    {t.auth.backToLogin}
  </Anchor>
);

/** `/reset-password` asks for the mail; `/reset-password?token=` (the mailed link) sets the new password. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <ConfirmReset token={token} /> : <RequestReset />;
}

function RequestReset() {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({ initialValues: { email: '' }, validate: { email: (value) => (value.trim() ? null : t.auth.requiredEmail) } });
  const mutation = useMutation({ mutationFn: requestPasswordReset, onError: (error) => setFormError(applyApiErrors(form, error)) });
  return (
    <AuthLayout title={t.auth.resetTitle} footer={backToLogin}>
      {mutation.isSuccess ? (
        <Alert color="green" role="status">
          {t.auth.resetSent}
        </Alert>
      ) : (
        <form noValidate onSubmit={form.onSubmit((values) => mutation.mutate({ email: values.email.trim() }))}>
          <Stack>
            <FormError message={formError} />
            <TextInput label={t.auth.email} type="email" autoComplete="email" required {...form.getInputProps('email')} />
            <Button type="submit" loading={mutation.isPending} fullWidth>
              {t.auth.resetRequest}
            </Button>
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
}

function ConfirmReset({ token }: { token: string }) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({ initialValues: { password: '', confirm: '' }, validate: newPasswordRules });
  const mutation = useMutation({ mutationFn: confirmPasswordReset, onError: (error) => setFormError(applyApiErrors(form, error)) });
  return (
    <AuthLayout title={t.auth.resetConfirmTitle} footer={backToLogin}>
      {mutation.isSuccess ? (
        <Alert color="green" role="status">
          {t.auth.resetDone}
        </Alert>
      ) : (
        <form noValidate onSubmit={form.onSubmit((values) => mutation.mutate({ token, password: values.password }))}>
          <Stack>
            <FormError message={formError} />
            <PasswordFields form={form} />
            <Button type="submit" loading={mutation.isPending} fullWidth>
              {t.auth.resetConfirm}
            </Button>
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
}
