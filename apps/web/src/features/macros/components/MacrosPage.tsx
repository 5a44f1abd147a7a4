import { Button, Checkbox, Group, Modal, MultiSelect, NumberInput, Paper, Select, Stack, Tabs, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { CannedResponseView, MacroView, TicketFieldView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { FormError } from '../../auth/components/FormError';
import { AdminPage } from '../../admin/components/AdminPage';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { PRIORITIES, STATUSES } from '../../tickets/hooks/queue-filters';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { inputValueOf } from '../../ticket-fields/utils/field-values';
import { useCannedResponses, useCreateCannedResponse, useCreateMacro, useDeleteCannedResponse, useDeleteMacro, useMacros, useUpdateCannedResponse, useUpdateMacro } from '../hooks/macros';
import { ACTION_KINDS, actionOf, newRow, rowOf, type ActionKind, type ActionRow } from './macro-rows';

const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });
type Option = { value: string; label: string };

function useVisibilityOptions(): { options: Option[]; teamName(id: string | null): string } {
  const teams = useTeams();
  const options = [{ value: '', label: t.macros.everyone }, ...(teams.data ?? []).map((team) => ({ value: team.id, label: t.macros.teamOnly(team.name) }))];
  return { options, teamName: (id) => (id ? (options.find((option) => option.value === id)?.label ?? t.macros.teamOnly('…')) : t.macros.everyone) };
}

/** Delete behind a confirmation: a macro or response is shared work, and one click should not lose it. */
function DeleteButton({ label, name, onConfirm, pending }: { label: string; name: string; onConfirm(done: () => void): void; pending: boolean }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Button size="xs" variant="subtle" color="red" onClick={() => setConfirming(true)} aria-label={label}>
        {t.macros.delete}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={confirming} onClose={() => setConfirming(false)} title={label}>
        <Stack gap="sm">
          <Text size="sm">{t.macros.confirmDelete(name)}</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </Button>
            <Button color="red" loading={pending} onClick={() => onConfirm(() => setConfirming(false))}>
              {t.macros.delete}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** A custom field and its value, the input by the field's type; an empty input clears the value on the ticket. */
function FieldActionEditor({ row, position, onChange, fields }: { row: ActionRow; position: number; onChange(row: ActionRow): void; fields: readonly TicketFieldView[] }) {
  const field = fields.find((candidate) => candidate.key === row.fieldKey);
  // An archived field still shows in a stored macro (saving then names the problem); new choices are active fields.
  const choices = fields.filter((candidate) => candidate.active || candidate.key === row.fieldKey).map((candidate) => ({ value: candidate.key, label: candidate.label }));
  const common = { label: t.macros.value(position), description: t.macros.fieldClears };
  const value = (() => {
    if (!field) return null;
    const set = (next: unknown) => onChange({ ...row, fieldValue: next as ActionRow['fieldValue'] });
    switch (field.type) {
      case 'number':
        return <NumberInput {...common} value={typeof row.fieldValue === 'number' ? row.fieldValue : ''} onChange={set} />;
      case 'dropdown':
        return <Select {...common} data={field.options} value={typeof row.fieldValue === 'string' ? row.fieldValue : null} onChange={set} clearable placeholder={t.ticket.fieldNotSet} />;
      case 'multiselect':
        return <MultiSelect {...common} data={field.options} value={Array.isArray(row.fieldValue) ? row.fieldValue : []} onChange={set} clearable />;
      case 'checkbox':
        return <Checkbox mt={28} label={t.macros.value(position)} checked={row.fieldValue === true} onChange={(event) => set(event.currentTarget.checked)} />;
      case 'date':
        return <TextInput {...common} placeholder="YYYY-MM-DD" value={typeof row.fieldValue === 'string' ? row.fieldValue : ''} onChange={(event) => set(event.currentTarget.value || null)} />;
      default:
        return <TextInput {...common} value={typeof row.fieldValue === 'string' ? row.fieldValue : ''} onChange={(event) => set(event.currentTarget.value)} />;
    }
  })();
  return (
    <Stack gap={4}>
      <Select
        label={t.macros.customField(position)}
        data={choices}
        value={row.fieldKey || null}
        onChange={(key) => {
          const chosen = fields.find((candidate) => candidate.key === key);
          onChange({ ...row, fieldKey: key ?? '', fieldValue: chosen ? inputValueOf(chosen, undefined) : null });
        }}
        nothingFoundMessage={t.macros.noCustomFields}
        allowDeselect={false}
        searchable
      />
      {value}
    </Stack>
  );
}

export function ActionEditor({
  row,
  position,
  onChange,
  onRemove,
  assignees,
  teams,
  fields,
}: {
  row: ActionRow;
  position: number;
  onChange(row: ActionRow): void;
  onRemove(): void;
  assignees: Option[];
  teams: Option[];
  fields: readonly TicketFieldView[];
}) {
  const kinds = ACTION_KINDS.map((kind) => ({ value: kind, label: t.macros.actionKinds[kind] }));
  const value = (() => {
    switch (row.kind) {
      case 'status':
        return <Select label={t.macros.value(position)} data={STATUSES.map((status) => ({ value: status, label: t.status[status] }))} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? 'open' })} allowDeselect={false} />;
      case 'priority':
        return <Select label={t.macros.value(position)} data={PRIORITIES.map((priority) => ({ value: priority, label: t.priority[priority] }))} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? 'normal' })} allowDeselect={false} />;
      case 'assigneeId':
        return <Select label={t.macros.value(position)} data={[{ value: '', label: t.macros.unassigned }, ...assignees]} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? '' })} searchable allowDeselect={false} />;
      case 'teamId':
        return <Select label={t.macros.value(position)} data={[{ value: '', label: t.macros.noTeam }, ...teams]} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? '' })} allowDeselect={false} />;
      case 'field':
        return <FieldActionEditor row={row} position={position} onChange={onChange} fields={fields} />;
      case 'addTags':
      case 'removeTags':
        return <TagsInput label={t.macros.tagsValue(position)} value={row.tags} onChange={(tags) => onChange({ ...row, tags })} />;
      case 'reply':
      case 'note':
        return <Textarea label={t.macros.body(position)} description={t.macros.placeholders} value={row.body} onChange={(event) => onChange({ ...row, body: event.currentTarget.value })} autosize minRows={3} />;
    }
  })();
  return (
    <Paper withBorder p="xs">
      <Group align="start" wrap="wrap">
        <Select label={t.macros.actionType(position)} data={kinds} value={row.kind} onChange={(kind) => kind && onChange({ ...newRow(kind as ActionKind), key: row.key })} allowDeselect={false} w={200} />
        <div style={{ flex: 1, minWidth: 200 }}>{value}</div>
        <Button variant="subtle" color="red" size="xs" mt={24} onClick={onRemove} aria-label={t.macros.removeAction(position)}>
          ✕
        </Button>
      </Group>
    </Paper>
  );
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
          <ActionEditor
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
      {(macros.data?.items ?? []).map((macro) => (
        <Paper key={macro.id} withBorder p="sm" component="section" aria-label={macro.name}>
          <Group justify="space-between" wrap="wrap">
            <Stack gap={0}>
              <Text fw={600}>{macro.name}</Text>
              <Text size="xs" c="dimmed">
                {visibility.teamName(macro.teamId)} · {t.macros.summary(macro.actions.length)}
              </Text>
            </Stack>
            <Group gap="xs">
              <Button size="xs" variant="light" onClick={() => setEditing(macro)} aria-label={t.macros.editMacro(macro.name)}>
                {t.macros.edit}
              </Button>
              <DeleteButton
                label={t.macros.deleteMacro(macro.name)}
                name={macro.name}
                pending={remove.isPending}
                onConfirm={(done) => remove.mutate(macro.id, { onError: fail, onSuccess: () => notifications.show({ message: t.macros.deleted(macro.name) }), onSettled: done })}
              />
            </Group>
          </Group>
        </Paper>
      ))}
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
      {(responses.data?.items ?? []).map((response) => (
        <Paper key={response.id} withBorder p="sm" component="section" aria-label={response.name}>
          <Group justify="space-between" wrap="wrap">
            <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
              <Text fw={600}>{response.name}</Text>
              <Text size="xs" c="dimmed">
                {visibility.teamName(response.teamId)}
              </Text>
            </Stack>
            <Group gap="xs">
              <Button size="xs" variant="light" onClick={() => setEditing(response)} aria-label={t.macros.editCanned(response.name)}>
                {t.macros.edit}
              </Button>
              <DeleteButton
                label={t.macros.deleteCanned(response.name)}
                name={response.name}
                pending={remove.isPending}
                onConfirm={(done) => remove.mutate(response.id, { onError: fail, onSuccess: () => notifications.show({ message: t.macros.deleted(response.name) }), onSettled: done })}
              />
            </Group>
          </Group>
        </Paper>
      ))}
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
