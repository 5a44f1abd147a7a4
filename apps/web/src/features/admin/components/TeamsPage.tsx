import { Button, Group, MultiSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TeamView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { useTeams, useUsers } from '../../directory/hooks/directory';
import { useCreateTeam, useDeleteTeam, useSetTeamMembers } from '../hooks/admin';
import { AdminPage } from './AdminPage';

const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

function TeamCard({ team, staff }: { team: TeamView; staff: Array<{ value: string; label: string }> }) {
  const setMembers = useSetTeamMembers();
  const remove = useDeleteTeam();
  const [members, setMembersDraft] = useState(team.memberIds);
  return (
    <Paper withBorder p="sm" component="section" aria-label={team.name}>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{team.name}</Text>
        <Button size="xs" variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate(team.id, { onError: fail })}>
          {t.admin.deleteTeam(team.name)}
        </Button>
      </Group>
      <Group align="end">
        <MultiSelect label={`${t.admin.members}: ${team.name}`} data={staff} value={members} onChange={setMembersDraft} searchable style={{ flex: 1 }} />
        <Button
          loading={setMembers.isPending}
          onClick={() => setMembers.mutate({ id: team.id, memberIds: members }, { onSuccess: () => notifications.show({ color: 'green', message: t.common.saved }), onError: fail })}
        >
          {t.common.save}
        </Button>
      </Group>
    </Paper>
  );
}

/** `/admin/teams`: create, delete, and set the members (active agents and admins). */
export function TeamsPage() {
  const teams = useTeams();
  const users = useUsers();
  const create = useCreateTeam();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({ initialValues: { name: '' }, validate: { name: (value) => (value.trim() ? null : t.auth.requiredField) } });
  const staff = (users.data?.items ?? []).filter((user) => user.active && user.role !== 'customer').map((user) => ({ value: user.id, label: user.name }));
  return (
    <AdminPage title={t.admin.teams} loading={teams.isPending} error={teams.error}>
      <Paper withBorder p="sm">
        <form
          noValidate
          aria-label={t.admin.newTeam}
          onSubmit={form.onSubmit((values) =>
            create.mutate({ name: values.name.trim() }, { onSuccess: () => form.reset(), onError: (error) => setFormError(applyApiErrors(form, error)) }),
          )}
        >
          <Stack gap="xs">
            <FormError message={formError} />
            <Group align="end">
              <TextInput label={t.admin.teamName} required {...form.getInputProps('name')} />
              <Button type="submit" loading={create.isPending}>
                {t.admin.newTeam}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
      {(teams.data ?? []).map((team) => (
        <TeamCard key={`${team.id}-${team.memberIds.join()}`} team={team} staff={staff} />
      ))}
    </AdminPage>
  );
}
