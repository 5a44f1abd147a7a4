import { Button, Group, Modal, Select, Stack, Tabs, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { CannedResponseView, MacroView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { FormError } from '../../auth/components/FormError';
import { AdminPage } from '../../admin/components/AdminPage';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { RuleList } from '../../rules/components/RuleList';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { useCannedResponses, useCreateCannedResponse, useCreateMacro, useDeleteCannedResponse, useDeleteMacro, useMacros, useUpdateCannedResponse, useUpdateMacro } from '../hooks/macros';
import { MacroActionEditor } from './ActionEditor';
import { actionOf, newRow, rowOf, type ActionRow } from './macro-rows';

const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });
type Option = { value: string; label: string };

function useVisibilityOptions(): { options: Option[]; teamName(id: string | null): string } {
  const teams = useTeams();
  const options = [{ value: '', label: t.macros.everyone }, ...(teams.data ?? []).map((team) => ({ value: team.id, label: t.macros.teamOnly(team.name) }))];
  return { options, teamName: (id) => (id ? (options.find((option) => option.value === id)?.label ?? t.macros.teamOnly('…')) : t.macros.everyone) };
}

function MacroForm({ macro, onDone }: { macro: MacroView | null; onDone(): void }) {
  const create = useCreateMacro();
  const update = useUpdateMacro();
  const { assignable } = useUserDirectory();
  const teams = useTeams();
  const visibility = useVisibilityOptions();
  const [name, setName] = useState(macro?.name ?? '');
  const [teamId, setTeamId] = useState(macro?.teamId ?? '');
  const fields = useTicketFields(true).data ?? [];
  const [rows, setRows] = useState<ActionRow[]>(macro ? macro.actions.map((action) => rowOf(action, fields)) : [newRow()]);
  const [error, setError] = useState<string | null>(null);
  const assignees = assignable.map((user) => ({ value: user.id, label: user.name }));
  const teamOptions = (teams.data ?? []).map((team) => ({ value: team.id, label: team.name }));
  const submit = () => {
    setError(null);
    const input = { name: name.trim(), teamId: teamId || null, actions: rows.map((row) => actionOf(row, fields)) };
    const done = {
      onSuccess: () => {
        notifications.show({ color: 'green', message: t.macros.created(input.name) });
        onDone();
      },
      onError: (failure: unknown) => setError(describeError(failure)),
    };
    if (macro) update.mutate({ id: macro.id, ...input }, done);
    else create.mutate(input, done);
  };
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Stack gap="xs">
        <FormError message={error} />
        <TextInput label={t.macros.name} required value={name} onChange={(event) => setName(event.currentTarget.value)} />
        <Select label={t.macros.visibility} data={visibility.options} value={teamId} onChange={(next) => setTeamId(next ?? '')} allowDeselect={false} />
        <Text size="sm" fw={600}>
          {t.macros.actions}
        </Text>
        {rows.map((row, index) => (
          <MacroActionEditor
            key={row.key}
            row={row}
            position={index + 1}
            assignees={assignees}
            teams={teamOptions}
            fields={fields}
            onChange={(next) => setRows((current) => current.map((item) => (item.key === row.key ? next : item)))}
            onRemove={() => setRows((current) => current.filter((item) => item.key !== row.key))}
          />
        ))}
        <Group justify="space-between">
          <Button variant="light" onClick={() => setRows((current) => [...current, newRow()])}>
            {t.macros.addAction}
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {t.common.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function MacrosTab() {
  const macros = useMacros();
  const remove = useDeleteMacro();
  const visibility = useVisibilityOptions();
  const [editing, setEditing] = useState<MacroView | 'new' | null>(null);
  return (
    <Stack gap="sm">
      <Group>
        <Button onClick={() => setEditing('new')}>{t.macros.newMacro}</Button>
      </Group>
      {macros.error ? <FormError message={describeError(macros.error)} /> : null}
      {macros.data?.items.length === 0 ? <Text c="dimmed">{t.macros.noMacros}</Text> : null}
      <RuleList
        items={macros.data?.items ?? []}
        describe={(macro) => `${visibility.teamName(macro.teamId)} · ${t.macros.summary(macro.actions.length)}`}
        editLabel={(macro) => t.macros.editMacro(macro.name)}
        deleteLabel={(macro) => t.macros.deleteMacro(macro.name)}
        confirmDelete={(macro) => t.macros.confirmDelete(macro.name)}
        onEdit={setEditing}
        onDelete={(macro, done) => remove.mutate(macro.id, { onError: fail, onSuccess: () => notifications.show({ message: t.macros.deleted(macro.name) }), onSettled: done })}
        deleting={remove.isPending}
      />
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? t.macros.newMacro : t.macros.editMacro(editing.name)} size="lg">
        {editing !== null ? <MacroForm macro={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
      </Modal>
    </Stack>
  );
}

function CannedResponseForm({ response, onDone }: { response: CannedResponseView | null; onDone(): void }) {
  const create = useCreateCannedResponse();
  const update = useUpdateCannedResponse();
  const visibility = useVisibilityOptions();
  const [name, setName] = useState(response?.name ?? '');
  const [body, setBody] = useState(response?.body ?? '');
  const [teamId, setTeamId] = useState(response?.teamId ?? '');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setError(null);
        const input = { name: name.trim(), body, teamId: teamId || null };
        const done = { onSuccess: onDone, onError: (failure: unknown) => setError(describeError(failure)) };
        if (response) update.mutate({ id: response.id, ...input }, done);
        else create.mutate(input, done);
      }}
    >
      <Stack gap="xs">
        <FormError message={error} />
        <TextInput label={t.macros.name} required value={name} onChange={(event) => setName(event.currentTarget.value)} />
        <Select label={t.macros.visibility} data={visibility.options} value={teamId} onChange={(next) => setTeamId(next ?? '')} allowDeselect={false} />
        <Textarea label={t.macros.cannedBody} description={t.macros.placeholders} required value={body} onChange={(event) => setBody(event.currentTarget.value)} autosize minRows={4} />
        <Group justify="end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {t.common.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function CannedResponsesTab() {
  const [query, setQuery] = useState('');
  const responses = useCannedResponses(query.trim());
  const remove = useDeleteCannedResponse();
  const visibility = useVisibilityOptions();
  const [editing, setEditing] = useState<CannedResponseView | 'new' | null>(null);
  return (
    <Stack gap="sm">
      <Group align="end">
        <TextInput label={t.macros.search} type="search" value={query} onChange={(event) => setQuery(event.currentTarget.value)} style={{ flex: 1 }} />
        <Button onClick={() => setEditing('new')}>{t.macros.newCanned}</Button>
      </Group>
      {responses.error ? <FormError message={describeError(responses.error)} /> : null}
      {responses.data?.items.length === 0 ? <Text c="dimmed">{query ? t.macros.nothingFound : t.macros.noCanned}</Text> : null}
      <RuleList
        items={responses.data?.items ?? []}
        describe={(response) => visibility.teamName(response.teamId)}
        editLabel={(response) => t.macros.editCanned(response.name)}
        deleteLabel={(response) => t.macros.deleteCanned(response.name)}
        confirmDelete={(response) => t.macros.confirmDelete(response.name)}
        onEdit={setEditing}
        onDelete={(response, done) => remove.mutate(response.id, { onError: fail, onSuccess: () => notifications.show({ message: t.macros.deleted(response.name) }), onSettled: done })}
        deleting={remove.isPending}
      />
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? t.macros.newCanned : t.macros.editCanned(editing.name)} size="lg">
        {editing !== null ? <CannedResponseForm response={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
      </Modal>
    </Stack>
  );
}

/** `/admin/macros`: macros with their action builder, and canned responses. */
export function MacrosPage() {
  return (
    <AdminPage title={t.macros.title}>
      <Tabs defaultValue="macros" keepMounted={false}>
        <Tabs.List mb="sm">
          <Tabs.Tab value="macros">{t.macros.macros}</Tabs.Tab>
          <Tabs.Tab value="canned">{t.macros.cannedResponses}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="macros">
          <MacrosTab />
        </Tabs.Panel>
        <Tabs.Panel value="canned">
          <CannedResponsesTab />
        </Tabs.Panel>
      </Tabs>
    </AdminPage>
  );
}
