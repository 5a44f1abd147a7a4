import { PasswordInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { t } from '../../../i18n';

export interface NewPasswordValues {
  password: string;
  confirm: string;
}

export const newPasswordRules = {
  password: (value: string) => (value.length >= 10 ? null : t.auth.passwordRule),
  confirm: (value: string, values: { password: string }) => (value === values.password ? null : t.auth.passwordsDiffer),
};

export function PasswordFields<Values extends NewPasswordValues>({ form }: { form: UseFormReturnType<Values> }) {
  return (
    <>
      <PasswordInput label={t.auth.newPassword} description={t.auth.passwordRule} autoComplete="new-password" required {...form.getInputProps('password')} />
      <PasswordInput label={t.auth.confirmPassword} autoComplete="new-password" required {...form.getInputProps('confirm')} />
    </>
  );
}
