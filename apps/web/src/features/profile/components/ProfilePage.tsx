import { Button, Checkbox, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { useChangePassword, useUpdateMe } from '../hooks/profile';

/** `/settings/profile`: name, password and which mails to receive. */
export function ProfilePage() {
  return (
    <Stack p={{ base: 'xs', sm: 'md' }} maw={560}>
      <Title order={1} size="h3">
        {t.profile.title}
      </Title>
      <NameForm />
      <PasswordForm />
      <MailPreferences />
    </Stack>
  );
}

function NameForm() {
  const me = useCurrentUser();
  const update = useUpdateMe();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({ initialValues: { name: me.user.name }, validate: { name: (value) => (value.trim() ? null : t.auth.requiredField) } });
  return (
    <Paper withBorder p="md">
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          setFormError(null);
          update.mutate({ name: values.name.trim() }, { onSuccess: () => notifications.show({ message: t.common.saved, color: 'green' }), onError: (error) => setFormError(applyApiErrors(form, error)) });
        })}
      >
        <Stack>
          <FormError message={formError} />
          <TextInput label={t.profile.name} autoComplete="name" required {...form.getInputProps('name')} />
          <Text size="sm" c="dimmed">
            {me.user.email}
          </Text>
          <Button type="submit" loading={update.isPending} w="fit-content">
            {t.profile.saveName}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

function PasswordForm() {
  const change = useChangePassword();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: (value) => (value ? null : t.auth.requiredPassword),
      newPassword: (value) => (value.length >= 10 ? null : t.auth.passwordRule),
      confirm: (value, values) => (value === values.newPassword ? null : t.auth.passwordsDiffer),
    },
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        {t.profile.changePassword}
      </Title>
      <form
        noValidate
        onSubmit={form.onSubmit(({ currentPassword, newPassword }) => {
          setFormError(null);
          change.mutate(
            { currentPassword, newPassword },
            {
              onSuccess: () => {
                form.reset();
                notifications.show({ message: t.profile.passwordChanged, color: 'green' });
              },
              onError: (error) => setFormError(applyApiErrors(form, error)),
            },
          );
        })}
      >
        <Stack>
          <FormError message={formError} />
          <PasswordInput label={t.profile.currentPassword} autoComplete="current-password" required {...form.getInputProps('currentPassword')} />
          <PasswordInput label={t.auth.newPassword} description={t.auth.passwordRule} autoComplete="new-password" required {...form.getInputProps('newPassword')} />
          <PasswordInput label={t.auth.confirmPassword} autoComplete="new-password" required {...form.getInputProps('confirm')} />
          <Button type="submit" loading={change.isPending} w="fit-content">
            {t.profile.changePassword}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

function MailPreferences() {
  const me = useCurrentUser();
  const update = useUpdateMe();
  const preferences = me.user.notificationPreferences;
  const keys = Object.keys(preferences) as Array<keyof typeof preferences>;
  if (keys.length === 0) return null;
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4">
        {t.profile.mail}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t.profile.mailHint}
      </Text>
      <Stack gap="xs">
        {keys.map((key) => (
          <Checkbox
            key={key}
            label={t.profile.preferences[key] ?? key}
            checked={preferences[key] !== false}
            disabled={update.isPending}
            onChange={(event) =>
              update.mutate(
                { notificationPreferences: { [key]: event.currentTarget.checked } },
                { onError: (error) => notifications.show({ color: 'red', message: describeError(error) }) },
              )
            }
          />
        ))}
      </Stack>
    </Paper>
  );
}
