import '@mantine/dates/styles.css';
import { Button, Checkbox, Group, Paper, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { OrganizationView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { useOrganization } from '../../directory/hooks/directory';
import { useUpdateOrganization } from '../hooks/admin';
import { AdminPage } from './AdminPage';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const TIME_ZONES = Intl.supportedValuesOf('timeZone');

interface DayHours {
  open: boolean;
  start: string;
  end: string;
}

interface Values {
  name: string;
  timezone: string;
  days: Record<string, DayHours>;
  holidays: string[];
  satisfactionSurveys: boolean;
}

/** One interval per day in this form; more intervals set through the API are kept as the first one shows. */
function toValues(organization: OrganizationView): Values {
  const days: Record<string, DayHours> = {};
  for (const day of DAYS) {
    const first = organization.businessHours[day]?.[0];
    days[day] = { open: Boolean(first), start: first?.start ?? '09:00', end: first?.end ?? '17:00' };
  }
  return { name: organization.name, timezone: organization.timezone, days, holidays: organization.holidays, satisfactionSurveys: organization.satisfactionSurveys };
}

function OrganizationForm({ organization }: { organization: OrganizationView }) {
  const update = useUpdateOrganization();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Values>({ initialValues: toValues(organization) });
  return (
    <Paper withBorder p="sm" maw={640}>
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          setFormError(null);
          const businessHours: OrganizationView['businessHours'] = {};
          for (const day of DAYS) {
            const hours = values.days[day]!;
            businessHours[day] = hours.open ? [{ start: hours.start, end: hours.end }] : [];
          }
          update.mutate(
            { name: values.name.trim(), timezone: values.timezone, businessHours, holidays: values.holidays, satisfactionSurveys: values.satisfactionSurveys },
            { onSuccess: () => notifications.show({ color: 'green', message: t.common.saved }), onError: (error) => setFormError(applyApiErrors(form, error)) },
          );
        })}
      >
        <Stack gap="sm">
          <FormError message={formError} />
          <TextInput label={t.admin.organization} required {...form.getInputProps('name')} />
          <Select label={t.admin.timezone} data={TIME_ZONES} searchable allowDeselect={false} {...form.getInputProps('timezone')} />
          <Text fw={600} size="sm">
            {t.admin.businessHours}
          </Text>
          {DAYS.map((day) => (
            <Group key={day} gap="xs" align="end" wrap="wrap">
              <Checkbox label={t.admin.day[day]} w={120} {...form.getInputProps(`days.${day}.open`, { type: 'checkbox' })} mb={8} />
              <TextInput type="time" label={t.admin.opens(t.admin.day[day]!)} disabled={!form.getValues().days[day]?.open} {...form.getInputProps(`days.${day}.start`)} w={150} />
              <TextInput type="time" label={t.admin.closes(t.admin.day[day]!)} disabled={!form.getValues().days[day]?.open} {...form.getInputProps(`days.${day}.end`)} w={150} />
            </Group>
          ))}
          <DatePickerInput type="multiple" label={t.admin.holidays} valueFormat="YYYY-MM-DD" clearable {...form.getInputProps('holidays')} />
          <Switch label={t.admin.satisfactionSurveys} description={t.admin.satisfactionSurveysHint} {...form.getInputProps('satisfactionSurveys', { type: 'checkbox' })} />
          <Button type="submit" loading={update.isPending} w="fit-content">
            {t.common.save}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

/** `/admin/organization`: name, time zone, business hours and holidays (they drive the SLA clocks), and satisfaction surveys. */
export function OrganizationPage() {
  const organization = useOrganization();
  return (
    <AdminPage title={t.admin.organization} loading={organization.isPending} error={organization.error}>
      {organization.data ? <OrganizationForm organization={organization.data} /> : null}
    </AdminPage>
  );
}
