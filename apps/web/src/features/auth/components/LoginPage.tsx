import { Anchor, Button, PasswordInput, Radio, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import type { OrganizationChoiceDetails } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { ApiError } from '../../../lib/api-error';
import { applyApiErrors } from '../../../lib/form-errors';
import { safeReturnPath } from '../../../lib/return-path';
import { login, type LoginInput } from '../api/auth';
import { useSession } from '../hooks/session';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';

function organizationChoices(error: unknown): OrganizationChoiceDetails['organizations'] | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const details = error.details as Partial<OrganizationChoiceDetails> | undefined;
  return Array.isArray(details?.organizations) ? details.organizations : null;
}

export function LoginPage() {
  const { status, signIn, expired } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const returnTo = safeReturnPath(params.get('returnTo'));
  const [formError, setFormError] = useState<string | null>(null);
  const [organizations, setOrganizations] = useState<OrganizationChoiceDetails['organizations'] | null>(null);
  const form = useForm<LoginInput>({
    initialValues: { email: '', password: '', organization: '' },
    validate: {
      email: (value) => (value.trim() ? null : t.auth.requiredEmail),
      password: (value) => (value ? null : t.auth.requiredPassword),
      organization: (value) => (organizations && !value ? t.auth.chooseOrganization : null),
    },
  });
  const mutation = useMutation({
    mutationFn: login,
    onSuccess: (session) => {
      signIn(session);
      void navigate(returnTo, { replace: true });
    },
    onError: (error) => {
      const choices = organizationChoices(error);
      if (choices) {
        setOrganizations(choices);
        setFormError(t.auth.chooseOrganization);
        return;
      }
      setFormError(applyApiErrors(form, error));
    },
  });

  if (status === 'signed-in') return <Navigate to={returnTo} replace />;

  return (
    <AuthLayout
      title={t.auth.loginTitle}
      footer={
        <>
          <Anchor component={Link} to="/reset-password" size="sm">
            {t.auth.forgotPassword}
          </Anchor>
          <Anchor component={Link} to="/signup" size="sm">
            {t.auth.noAccount} {t.auth.signup}
          </Anchor>
        </>
      }
    >
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          setFormError(null);
          mutation.mutate({ email: values.email.trim(), password: values.password, ...(values.organization ? { organization: values.organization } : {}) });
        })}
      >
        <Stack>
          {expired && !formError ? <FormError message={t.errors.sessionExpired} /> : null}
          <FormError message={formError} />
          <TextInput label={t.auth.email} type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput label={t.auth.password} autoComplete="current-password" required {...form.getInputProps('password')} />
          {organizations ? (
            <Radio.Group label={t.auth.organization} required {...form.getInputProps('organization')}>
              <Stack gap="xs" mt="xs">
                {organizations.map((organization) => (
                  <Radio key={organization.slug} value={organization.slug} label={organization.name} />
                ))}
              </Stack>
            </Radio.Group>
          ) : null}
          <Button type="submit" loading={mutation.isPending} fullWidth>
            {t.auth.login}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
