import { Button, Group, MultiSelect, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TeamAssignment, TeamView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { TEAM_ASSIGNMENT_VALUES } from '../../directory/assignment-options';
import { useTeams, useUsers } from '../../directory/hooks/directory';
import { useCreateTeam, useDeleteTeam, useSetTeamMembers, useUpdateTeam } from '../hooks/admin';
import { AdminPage } from './AdminPage';

const RULE_OPTIONS = TEAM_ASSIGNMENT_VALUES.map((value) => ({ value, label: t.assignment.rules[value] }));
const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

function TeamCard({ team, staff }: { team: TeamView; staff: Array<{ value: string; label: string }> }) {
  const setMembers = useSetTeamMembers();
  const remove = useDeleteTeam();
  const update = useUpdateTeam();
  const [members, setMembersDraft] = useState(team.memberIds);
  return (
    <Paper withBorder p="sm" component="section" aria-label={team.name}>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{team.name}</Text>
        <Button size="xs" variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate(team.id, { onError: fail })}>
          {t.admin.deleteTeam(team.name)}
        </Button>
      </Group>
      <Select
        label={t.assignment.ruleOf(team.name)}
        data={RULE_OPTIONS}
        value={team.assignment}
        allowDeselect={false}
        disabled={update.isPending}
        onChange={(assignment) =>
          assignment &&
          update.mutate({ id: team.id, assignment: assignment as TeamAssignment }, { onSuccess: () => notifications.show({ color: 'green', message: t.common.saved }), onError: fail })
        }
        w={220}
        mb="xs"
      />
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

/** `/admin/teams`: create, delete, set the members (active agents and admins) and the assignment rule. */
export function TeamsPage() {
  const teams = useTeams();
  const users = useUsers();
  const create = useCreateTeam();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({ initialValues: { name: '', assignment: 'manual' as TeamAssignment }, validate: { name: (value) => (value.trim() ? null : t.auth.requiredField) } });
  const staff = (users.data?.items ?? []).filter((user) => user.active && user.role !== 'customer').map((user) => ({ value: user.id, label: user.name }));
  return (
    <AdminPage title={t.admin.teams} loading={teams.isPending} error={teams.error}>
      <Paper withBorder p="sm">
        <form
          noValidate
          aria-label={t.admin.newTeam}
          onSubmit={form.onSubmit((values) =>
            create.mutate({ name: values.name.trim(), assignment: values.assignment }, { onSuccess: () => form.reset(), onError: (error) => setFormError(applyApiErrors(form, error)) }),
          )}
        >
          <Stack gap="xs">
            <FormError message={formError} />
            <Group align="end">
              <TextInput label={t.admin.teamName} required {...form.getInputProps('name')} />
              <Select label={t.assignment.rule} data={RULE_OPTIONS} allowDeselect={false} {...form.getInputProps('assignment')} w={200} />
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
