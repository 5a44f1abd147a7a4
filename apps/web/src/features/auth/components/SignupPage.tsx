import { Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { t } from '../../../i18n';
import { applyApiErrors } from '../../../lib/form-errors';
import { signup } from '../api/auth';
import { useSession } from '../hooks/session';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';
import { newPasswordRules, PasswordFields } from './PasswordFields';

export function SignupPage() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { organizationName: '', name: '', email: '', password: '', confirm: '' },
    validate: {
      organizationName: (value) => (value.trim() ? null : t.auth.requiredField),
      name: (value) => (value.trim() ? null : t.auth.requiredField),
      email: (value) => (value.trim() ? null : t.auth.requiredEmail),
      ...newPasswordRules,
    },
  });
  const mutation = useMutation({
    mutationFn: signup,
    onSuccess: (session) => {
      signIn(session);
      void navigate('/tickets', { replace: true });
    },
    onError: (error) => setFormError(applyApiErrors(form, error)),
  });
  return (
    <AuthLayout
      title={t.auth.signupTitle}
      footer={
        <Anchor component={Link} to="/login" size="sm">
          {t.auth.haveAccount} {t.auth.login}
        </Anchor>
      }
    >
      <form
        noValidate
        onSubmit={form.onSubmit(({ confirm: _confirm, ...values }) => {
          setFormError(null);
          mutation.mutate({ ...values, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone });
        })}
      >
        <Stack>
          <FormError message={formError} />
          <TextInput label={t.auth.organizationName} required {...form.getInputProps('organizationName')} />
          <TextInput label={t.auth.name} autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label={t.auth.email} type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordFields form={form} />
          <Button type="submit" loading={mutation.isPending} fullWidth>
            {t.auth.signup}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
