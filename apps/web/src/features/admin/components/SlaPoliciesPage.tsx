import { Badge, Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Table, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TicketPriority } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import type { SlaPolicyInput } from '../../directory/api/directory';
import { useSlaPolicies } from '../../directory/hooks/directory';
import { PRIORITIES } from '../../tickets/hooks/queue-filters';
import { useCreateSlaPolicy, useDeleteSlaPolicy } from '../hooks/admin';
import { AdminPage } from './AdminPage';

/** `/admin/sla-policies`: one active policy per priority; a new one retires the old. */
export function SlaPoliciesPage() {
  const policies = useSlaPolicies();
  const create = useCreateSlaPolicy();
  const remove = useDeleteSlaPolicy();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Omit<SlaPolicyInput, 'nextResponseMinutes'> & { nextResponseMinutes: number | string }>({
    initialValues: { name: '', priority: 'normal' as TicketPriority, firstResponseMinutes: 240, nextResponseMinutes: '', resolutionMinutes: 2880, businessHoursOnly: true },
    validate: { name: (value) => (value.trim() ? null : t.auth.requiredField) },
  });
  return (
    <AdminPage title={t.admin.sla} loading={policies.isPending} error={policies.error}>
      <Paper withBorder p="sm">
        <form
          noValidate
          aria-label={t.admin.newPolicy}
          onSubmit={form.onSubmit((values) =>
            create.mutate(
              { ...values, name: values.name.trim(), nextResponseMinutes: values.nextResponseMinutes === '' ? null : Number(values.nextResponseMinutes) },
              { onSuccess: () => form.reset(), onError: (error) => setFormError(applyApiErrors(form, error)) },
            ),
          )}
        >
          <Stack gap="xs">
            <FormError message={formError} />
            <Group align="end" wrap="wrap">
              <TextInput label={t.admin.policyName} required {...form.getInputProps('name')} />
              <Select label={t.ticket.priority} data={PRIORITIES.map((value) => ({ value, label: t.priority[value] }))} allowDeselect={false} {...form.getInputProps('priority')} w={130} />
              <NumberInput label={t.admin.firstResponseMinutes} min={1} {...form.getInputProps('firstResponseMinutes')} w={180} />
              <NumberInput label={t.admin.nextResponseMinutes} min={1} {...form.getInputProps('nextResponseMinutes')} w={180} />
              <NumberInput label={t.admin.resolutionMinutes} min={1} {...form.getInputProps('resolutionMinutes')} w={180} />
              <Checkbox label={t.admin.businessHoursOnly} {...form.getInputProps('businessHoursOnly', { type: 'checkbox' })} mb={8} />
              <Button type="submit" loading={create.isPending}>
                {t.admin.newPolicy}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
      <Table.ScrollContainer minWidth={640}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t.admin.policyName}</Table.Th>
              <Table.Th>{t.ticket.priority}</Table.Th>
              <Table.Th>{t.sla.firstResponse}</Table.Th>
              <Table.Th>{t.sla.nextResponse}</Table.Th>
              <Table.Th>{t.sla.resolution}</Table.Th>
              <Table.Th>{t.admin.businessHoursOnly}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(policies.data ?? []).map((policy) => (
              <Table.Tr key={policy.id}>
                <Table.Td>
                  {policy.name} {policy.active ? <Badge size="xs" color="green">{t.admin.active}</Badge> : null}
                </Table.Td>
                <Table.Td>{t.priority[policy.priority]}</Table.Td>
                <Table.Td>{policy.firstResponseMinutes}</Table.Td>
                <Table.Td>{policy.nextResponseMinutes ?? '—'}</Table.Td>
                <Table.Td>{policy.resolutionMinutes}</Table.Td>
                <Table.Td>{policy.businessHoursOnly ? '✓' : '—'}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => remove.mutate(policy.id, { onError: (error) => notifications.show({ color: 'red', message: describeError(error) }) })}
                  >
                    {t.admin.deletePolicy(policy.name)}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </AdminPage>
  );
}
