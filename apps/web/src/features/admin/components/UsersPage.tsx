import { Badge, Button, Group, NumberInput, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Availability, Role, UserView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { AVAILABILITY_VALUES } from '../../directory/assignment-options';
import { AvailabilityBadge } from '../../directory/components/AvailabilityBadge';
import { BouncingAddress } from '../../directory/components/BouncingAddress';
import { useUsers } from '../../directory/hooks/directory';
import { useDeactivateUser, useInviteUser, useResendInvitation, useUpdateUser } from '../hooks/admin';
import { AdminPage } from './AdminPage';

const ROLE_OPTIONS = (['admin', 'agent', 'customer'] as const).map((value) => ({ value, label: t.role[value] }));
const isStaff = (role: Role) => role !== 'customer';
const AVAILABILITY_OPTIONS = AVAILABILITY_VALUES.map((value) => ({ value, label: t.assignment.states[value] }));
const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

function InviteForm() {
  const invite = useInviteUser();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '', email: '', role: 'agent' as Role },
    validate: { name: (value) => (value.trim() ? null : t.auth.requiredField), email: (value) => (value.trim() ? null : t.auth.requiredEmail) },
  });
  return (
    <Paper withBorder p="sm">
      <form
        noValidate
        aria-label={t.admin.invite}
        onSubmit={form.onSubmit((values) => {
          setFormError(null);
          invite.mutate(
            { name: values.name.trim(), email: values.email.trim(), role: values.role },
            {
              onSuccess: () => {
                form.reset();
                notifications.show({ color: 'green', message: t.admin.inviteSent });
              },
              onError: (error) => setFormError(applyApiErrors(form, error)),
            },
          );
        })}
      >
        <Stack gap="xs">
          <FormError message={formError} />
          <Group align="end" wrap="wrap">
            <TextInput label={t.auth.name} required {...form.getInputProps('name')} />
            <TextInput label={t.auth.email} type="email" required {...form.getInputProps('email')} />
            <Select label={t.admin.role} data={ROLE_OPTIONS} allowDeselect={false} {...form.getInputProps('role')} w={140} />
            <Button type="submit" loading={invite.isPending}>
              {t.admin.invite}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** Saved when the field is left: empty is unlimited. */
function CapacityInput({ user }: { user: UserView }) {
  const update = useUpdateUser();
  const [draft, setDraft] = useState<string | number>(user.capacity ?? '');
  const save = () => {
    const capacity = draft === '' ? null : Number(draft);
    if (capacity === user.capacity) return;
    update.mutate({ id: user.id, capacity }, { onSuccess: () => notifications.show({ color: 'green', message: t.common.saved }), onError: (error) => (setDraft(user.capacity ?? ''), fail(error)) });
  };
  return (
    <NumberInput
      aria-label={t.assignment.capacityOf(user.name)}
      placeholder={t.assignment.unlimited}
      min={1}
      allowDecimal={false}
      allowNegative={false}
      value={draft}
      onChange={setDraft}
      onBlur={save}
      onKeyDown={(event) => event.key === 'Enter' && save()}
      w={110}
      size="xs"
    />
  );
}

function UserRow({ user }: { user: UserView }) {
  const update = useUpdateUser();
  const deactivate = useDeactivateUser();
  const resend = useResendInvitation();
  const pendingSince = user.invitationPendingSince;
  return (
    <Table.Tr>
      <Table.Td>
        {user.name}
        {pendingSince ? (
          <Text size="xs" c="dimmed">
            {t.admin.invitationPending(formatDateTime(pendingSince))}
          </Text>
        ) : null}
        <BouncingAddress user={user} />
      </Table.Td>
      <Table.Td>{user.email}</Table.Td>
      <Table.Td>
        <Select
          aria-label={`${t.admin.role}: ${user.name}`}
          data={ROLE_OPTIONS}
          value={user.role}
          allowDeselect={false}
          onChange={(role) => role && update.mutate({ id: user.id, role: role as Role }, { onError: fail })}
          w={130}
          size="xs"
        />
      </Table.Td>
      <Table.Td>{isStaff(user.role) ? <CapacityInput user={user} /> : null}</Table.Td>
      <Table.Td>
        {isStaff(user.role) ? (
          <Group gap={4} wrap="nowrap">
            <Select
              aria-label={t.assignment.availabilityOf(user.name)}
              data={AVAILABILITY_OPTIONS}
              value={user.availabilitySetting}
              allowDeselect={false}
              onChange={(availability) => availability && update.mutate({ id: user.id, availability: availability as Availability }, { onError: fail })}
              w={110}
              size="xs"
            />
            <AvailabilityBadge user={user} />
          </Group>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Badge color={user.active ? 'green' : 'gray'}>
          {user.active ? t.admin.active : '—'}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          {pendingSince && user.active ? (
            <Button
              size="xs"
              variant="light"
              loading={resend.isPending}
              onClick={() => resend.mutate(user.id, { onSuccess: () => notifications.show({ color: 'green', message: t.admin.invitationResent(user.email) }), onError: fail })}
            >
              {t.admin.resendInvitation(user.name)}
            </Button>
          ) : null}
          {user.active ? (
            <Button size="xs" variant="subtle" color="red" loading={deactivate.isPending} onClick={() => deactivate.mutate(user.id, { onError: fail })}>
              {t.admin.deactivate(user.name)}
            </Button>
          ) : (
            <Button size="xs" variant="subtle" loading={update.isPending} onClick={() => update.mutate({ id: user.id, active: true }, { onError: fail })}>
              {t.admin.activate(user.name)}
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** `/admin/users`: invite, change role, capacity and availability, deactivate, reactivate and resend an invitation. */
export function UsersPage() {
  const [q, setQ] = useState('');
  const users = useUsers(q.trim() ? { q: q.trim() } : {});
  return (
    <AdminPage title={t.admin.users} error={users.error}>
      <InviteForm />
      <TextInput type="search" label={t.queue.search} value={q} onChange={(event) => setQ(event.currentTarget.value)} maw={300} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t.auth.name}</Table.Th>
              <Table.Th>{t.auth.email}</Table.Th>
              <Table.Th>{t.admin.role}</Table.Th>
              <Table.Th>{t.assignment.capacity}</Table.Th>
              <Table.Th>{t.assignment.availability}</Table.Th>
              <Table.Th>{t.admin.active}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(users.data?.items ?? []).map((user) => (
              <UserRow key={user.id} user={user} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </AdminPage>
  );
}
