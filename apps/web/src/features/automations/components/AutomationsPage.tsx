import { Anchor, Button, Checkbox, Group, Modal, MultiSelect, NumberInput, Paper, Select, Stack, Switch, Table, TagsInput, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import type { AutomationView, MacroAction, RuleAction, TicketFieldView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { AdminPage } from '../../admin/components/AdminPage';
import { FormError } from '../../auth/components/FormError';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { ActionEditor } from '../../macros/components/MacrosPage';
import { actionOf, newRow, rowOf, type ActionRow } from '../../macros/components/macro-rows';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { PRIORITIES, STATUSES } from '../../tickets/hooks/queue-filters';
import { useAutomationPreview, useAutomations, useCreateAutomation, useDeleteAutomation, useUpdateAutomation } from '../hooks/automations';
import { BASE_FIELDS, conditionOf, isHoursSince, newConditionRow, operatorsOf, rowOfCondition, type ConditionRow } from './condition-rows';

type Option = { value: string; label: string };
type Group = 'all' | 'any';
const CHANNELS = ['web', 'email', 'api', 'phone', 'chat'];
const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

/** The value input of one condition: chosen from the field's values where it has a list, typed otherwise. */
function ConditionValue({ row, label, onChange, fields, people, teams }: { row: ConditionRow; label: string; onChange(row: ConditionRow): void; fields: readonly TicketFieldView[]; people: Option[]; teams: Option[] }) {
  if (isHoursSince(row.field)) {
    return (
      <Group align="end" gap="xs">
        <NumberInput label={t.automations.hours(label)} min={0.1} max={87_600} value={row.hours} onChange={(hours) => onChange({ ...row, hours })} w={120} />
        <Checkbox label={t.automations.businessHours} aria-label={t.automations.businessHoursOf(label)} checked={row.businessHours} onChange={(event) => onChange({ ...row, businessHours: event.currentTarget.checked })} mb={8} />
      </Group>
    );
  }
  const definition = fields.find((field) => `fields.${field.key}` === row.field);
  const choices: Option[] | null =
    row.field === 'status'
      ? STATUSES.map((status) => ({ value: status, label: t.status[status] }))
      : row.field === 'priority'
        ? PRIORITIES.map((priority) => ({ value: priority, label: t.priority[priority] }))
        : row.field === 'channel'
          ? CHANNELS.map((channel) => ({ value: channel, label: channel }))
          : row.field === 'assigneeId'
            ? people
            : row.field === 'teamId'
              ? teams
              : definition?.type === 'dropdown' || definition?.type === 'multiselect'
                ? definition.options.map((option) => ({ value: option, label: option }))
                : definition?.type === 'checkbox'
                  ? [{ value: 'true', label: t.automations.checked }, { value: 'false', label: t.automations.unchecked }]
                  : null;
  const valueLabel = t.automations.value(label);
  if (row.op === 'in') {
    return choices ? (
      <MultiSelect label={valueLabel} data={choices} value={row.values} onChange={(values) => onChange({ ...row, values })} searchable />
    ) : (
      <TagsInput label={valueLabel} value={row.values} onChange={(values) => onChange({ ...row, values })} />
    );
  }
  if (choices) {
    const withNone = row.field === 'assigneeId' || row.field === 'teamId' ? [{ value: '', label: t.automations.none }, ...choices] : choices;
    return <Select label={valueLabel} data={withNone} value={row.value} onChange={(value) => onChange({ ...row, value: value ?? '' })} searchable allowDeselect={false} />;
  }
  return <TextInput label={valueLabel} value={row.value} onChange={(event) => onChange({ ...row, value: event.currentTarget.value })} />;
}

function ConditionsEditor({ group, rows, onChange, fields, people, teams }: { group: Group; rows: ConditionRow[]; onChange(rows: ConditionRow[]): void; fields: readonly TicketFieldView[]; people: Option[]; teams: Option[] }) {
  const fieldOptions: Option[] = [
    ...BASE_FIELDS.map((field) => ({ value: field, label: t.automations.fields[field] })),
    ...fields.filter((field) => field.active).map((field) => ({ value: `fields.${field.key}`, label: field.label })),
  ];
  const replace = (row: ConditionRow) => onChange(rows.map((item) => (item.key === row.key ? row : item)));
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        {group === 'all' ? t.automations.allTitle : t.automations.anyTitle}
      </Text>
      {rows.map((row, index) => {
        const label = t.automations.conditionLabel(group, index + 1);
        return (
          <Paper key={row.key} withBorder p="xs">
            <Group align="end" wrap="wrap">
              <Select label={t.automations.field(label)} data={fieldOptions} value={row.field} onChange={(field) => field && replace({ ...newConditionRow(field), key: row.key, op: operatorsOf(field, fields)[0]! })} searchable allowDeselect={false} w={220} />
              <Select
                label={t.automations.operator(label)}
                data={operatorsOf(row.field, fields).map((op) => ({ value: op, label: t.automations.ops[op] }))}
                value={row.op}
                onChange={(op) => op && replace({ ...row, op: op as ConditionRow['op'] })}
                allowDeselect={false}
                w={170}
              />
              <div style={{ flex: 1, minWidth: 200 }}>
                <ConditionValue row={row} label={label} onChange={replace} fields={fields} people={people} teams={teams} />
              </div>
              <Button variant="subtle" color="red" size="xs" onClick={() => onChange(rows.filter((item) => item.key !== row.key))} aria-label={t.automations.removeCondition(label)}>
                ✕
              </Button>
            </Group>
          </Paper>
        );
      })}
      <Group>
        <Button variant="light" size="xs" onClick={() => onChange([...rows, newConditionRow(group === 'all' ? 'hoursSince.pending' : 'status')])}>
          {group === 'all' ? t.automations.addAll : t.automations.addAny}
        </Button>
      </Group>
    </Stack>
  );
}

const isMacroAction = (action: RuleAction): action is MacroAction => action.type !== 'notify' && action.type !== 'webhook';

function AutomationForm({ automation, onDone }: { automation: AutomationView | null; onDone(): void }) {
  const create = useCreateAutomation();
  const update = useUpdateAutomation();
  const { assignable } = useUserDirectory();
  const teams = useTeams();
  const ticketFields = useTicketFields();
  const fields = ticketFields.data ?? [];
  const [name, setName] = useState(automation?.name ?? '');
  const [active, setActive] = useState(automation?.active ?? true);
  const [all, setAll] = useState<ConditionRow[]>(automation ? automation.all.map(rowOfCondition) : [newConditionRow('hoursSince.pending'), newConditionRow('status')]);
  const [any, setAny] = useState<ConditionRow[]>(automation ? automation.any.map(rowOfCondition) : []);
  const [actions, setActions] = useState<ActionRow[]>(automation ? automation.actions.filter(isMacroAction).map((action) => rowOf(action, fields)) : [newRow('addTags')]);
  // Notify and webhook actions written through the API are kept as they are: the builder edits the others.
  const kept = automation ? automation.actions.filter((action) => !isMacroAction(action)) : [];
  const [error, setError] = useState<string | null>(null);
  const people = assignable.map((user) => ({ value: user.id, label: user.name }));
  const teamOptions = (teams.data ?? []).map((team) => ({ value: team.id, label: team.name }));
  const submit = () => {
    setError(null);
    const input = { name: name.trim(), active, all: all.map((row) => conditionOf(row, fields)), any: any.map((row) => conditionOf(row, fields)), actions: [...actions.map((row) => actionOf(row, fields)), ...kept] };
    const done = {
      onSuccess: () => {
        notifications.show({ color: 'green', message: t.automations.saved(input.name) });
        onDone();
      },
      onError: (failure: unknown) => setError(describeError(failure)),
    };
    if (automation) update.mutate({ id: automation.id, ...input }, done);
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
      <Stack gap="sm">
        <FormError message={error} />
        <TextInput label={t.automations.name} required value={name} onChange={(event) => setName(event.currentTarget.value)} />
        <Switch label={t.automations.active} checked={active} onChange={(event) => setActive(event.currentTarget.checked)} />
        <Text size="xs" c="dimmed">
          {t.automations.conditionsHelp}
        </Text>
        <ConditionsEditor group="all" rows={all} onChange={setAll} fields={fields} people={people} teams={teamOptions} />
        <ConditionsEditor group="any" rows={any} onChange={setAny} fields={fields} people={people} teams={teamOptions} />
        <Text size="sm" fw={600}>
          {t.automations.actions}
        </Text>
        {actions.map((row, index) => (
          <ActionEditor
            key={row.key}
            row={row}
            position={index + 1}
            assignees={people}
            teams={teamOptions}
            fields={fields}
            onChange={(next) => setActions((current) => current.map((item) => (item.key === row.key ? next : item)))}
            onRemove={() => setActions((current) => current.filter((item) => item.key !== row.key))}
          />
        ))}
        <Group justify="space-between">
          <Button variant="light" onClick={() => setActions((current) => [...current, newRow('addTags')])}>
            {t.automations.addAction}
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {t.common.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The dry run, read when opened: the tickets the automation would act on now. */
function PreviewList({ automationId }: { automationId: string }) {
  const preview = useAutomationPreview(automationId);
  if (preview.isPending) return <Text c="dimmed">{t.automations.previewLoading}</Text>;
  if (preview.error) return <FormError message={describeError(preview.error)} />;
  if (preview.data.items.length === 0) return <Text>{t.automations.previewEmpty}</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm">{t.automations.previewCount(preview.data.items.length, preview.data.nextCursor !== null)}</Text>
      <Table aria-label={t.automations.previewTable}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t.automations.ticket}</Table.Th>
            <Table.Th>{t.automations.subject}</Table.Th>
            <Table.Th>{t.automations.status}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {preview.data.items.map((item) => (
            <Table.Tr key={item.id}>
              <Table.Td>
                <Anchor component={Link} to={`/tickets/${item.id}`}>
                  #{item.number}
                </Anchor>
              </Table.Td>
              <Table.Td>{item.subject}</Table.Td>
              <Table.Td>{t.status[item.status as keyof typeof t.status] ?? item.status}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export function AutomationsPage() {
  const automations = useAutomations();
  const update = useUpdateAutomation();
  const remove = useDeleteAutomation();
  const [editing, setEditing] = useState<AutomationView | 'new' | null>(null);
  const [previewing, setPreviewing] = useState<AutomationView | null>(null);
  const [deleting, setDeleting] = useState<AutomationView | null>(null);
  return (
    <AdminPage title={t.automations.title}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t.automations.intro}
        </Text>
        <Group>
          <Button onClick={() => setEditing('new')}>{t.automations.newAutomation}</Button>
        </Group>
        {automations.error ? <FormError message={describeError(automations.error)} /> : null}
        {automations.data?.items.length === 0 ? <Text c="dimmed">{t.automations.empty}</Text> : null}
        {(automations.data?.items ?? []).map((automation) => (
          <Paper key={automation.id} withBorder p="sm" component="section" aria-label={automation.name}>
            <Group justify="space-between" wrap="wrap">
              <Stack gap={0}>
                <Text fw={600}>{automation.name}</Text>
                <Text size="xs" c="dimmed">
                  {t.automations.summary(automation.all.length + automation.any.length, automation.actions.length)}
                </Text>
              </Stack>
              <Group gap="xs">
                <Switch
                  label={t.automations.active}
                  aria-label={t.automations.activeOf(automation.name)}
                  checked={automation.active}
                  onChange={(event) => update.mutate({ id: automation.id, active: event.currentTarget.checked }, { onError: fail })}
                />
                <Button size="xs" variant="light" onClick={() => setPreviewing(automation)} aria-label={t.automations.previewOf(automation.name)}>
                  {t.automations.preview}
                </Button>
                <Button size="xs" variant="light" onClick={() => setEditing(automation)} aria-label={t.automations.editOf(automation.name)}>
                  {t.automations.edit}
                </Button>
                <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(automation)} aria-label={t.automations.deleteOf(automation.name)}>
                  {t.automations.delete}
                </Button>
              </Group>
            </Group>
          </Paper>
        ))}
      </Stack>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? t.automations.newAutomation : t.automations.editOf(editing.name)} size="xl">
        {editing !== null ? <AutomationForm automation={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
      </Modal>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={previewing !== null} onClose={() => setPreviewing(null)} title={previewing ? t.automations.previewTitle(previewing.name) : ''} size="lg">
        {previewing ? <PreviewList automationId={previewing.id} /> : null}
      </Modal>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={deleting !== null} onClose={() => setDeleting(null)} title={deleting ? t.automations.deleteOf(deleting.name) : ''}>
        <Stack gap="sm">
          <Text size="sm">{deleting ? t.automations.confirmDelete(deleting.name) : ''}</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              {t.common.cancel}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => deleting && remove.mutate(deleting.id, { onError: fail, onSuccess: () => notifications.show({ message: t.automations.deleted(deleting.name) }), onSettled: () => setDeleting(null) })}
            >
              {t.automations.delete}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </AdminPage>
  );
}
