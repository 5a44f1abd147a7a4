import { Badge, Button, Checkbox, Group, Modal, MultiSelect, NumberInput, Paper, Select, Stack, Switch, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { RuleConditionOperator, TriggerEvent, TriggerView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { AdminPage } from '../../admin/components/AdminPage';
import { FormError } from '../../auth/components/FormError';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { PRIORITIES, STATUSES } from '../../tickets/hooks/queue-filters';
import { useCreateTrigger, useDeleteTrigger, useMoveTrigger, useTriggers, useUpdateTrigger } from '../hooks/triggers';
import {
  CHANNELS,
  CONDITION_FIELDS,
  conditionOf,
  conditionRowOf,
  FIELD_OPERATORS,
  isHoursField,
  newAction,
  newCondition,
  NOTIFY_TARGETS,
  RULE_ACTION_KINDS,
  actionRowOf,
  ruleActionOf,
  TRIGGER_EVENTS,
  type ConditionField,
  type ConditionRow,
  type NotifyTarget,
  type RuleActionKind,
  type RuleActionRow,
} from './rule-rows';

type Option = { value: string; label: string };
const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

/** The value choices of a field that has a fixed set (team and assignee add "none" for their single-value operators). */
function choicesOf(field: ConditionField, people: Option[], teams: Option[]): Option[] | null {
  switch (field) {
    case 'status':
      return STATUSES.map((status) => ({ value: status, label: t.status[status] }));
    case 'priority':
      return PRIORITIES.map((priority) => ({ value: priority, label: t.priority[priority] }));
    case 'channel':
      return CHANNELS.map((channel) => ({ value: channel, label: t.triggers.channels[channel as keyof typeof t.triggers.channels] }));
    case 'teamId':
      return teams;
    case 'assigneeId':
      return people;
    default:
      return null;
  }
}

function ConditionEditor({ row, group, position, onChange, onRemove, people, teams }: { row: ConditionRow; group: string; position: number; onChange(row: ConditionRow): void; onRemove(): void; people: Option[]; teams: Option[] }) {
  const choices = choicesOf(row.field, people, teams);
  const valueLabel = t.triggers.conditionValue(group, position);
  const value = (() => {
    if (row.op === 'in') {
      return choices ? (
        <MultiSelect label={valueLabel} data={choices} value={row.values} onChange={(values) => onChange({ ...row, values })} searchable />
      ) : (
        <TagsInput label={valueLabel} value={row.values} onChange={(values) => onChange({ ...row, values })} />
      );
    }
    if (isHoursField(row.field)) {
      return (
        <Group align="end" gap="xs">
          <NumberInput label={valueLabel} min={0} value={row.value} onChange={(next) => onChange({ ...row, value: String(next) })} w={120} />
          <Checkbox label={t.triggers.businessHours} checked={row.businessHours} onChange={(event) => onChange({ ...row, businessHours: event.currentTarget.checked })} mb={8} />
        </Group>
      );
    }
    if (choices) {
      const withNone = row.field === 'teamId' || row.field === 'assigneeId' ? [{ value: '', label: t.triggers.none }, ...choices] : choices;
      return <Select label={valueLabel} data={withNone} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? '' })} searchable allowDeselect={false} />;
    }
    return <TextInput label={valueLabel} value={row.value} onChange={(event) => onChange({ ...row, value: event.currentTarget.value })} />;
  })();
  return (
    <Paper withBorder p="xs">
      <Group align="start" wrap="wrap">
        <Select
          label={t.triggers.conditionField(group, position)}
          data={CONDITION_FIELDS.map((field) => ({ value: field, label: t.triggers.fields[field] }))}
          value={row.field}
          onChange={(field) => field && onChange({ ...newCondition(field as ConditionField), key: row.key })}
          allowDeselect={false}
          w={200}
        />
        <Select
          label={t.triggers.conditionOp(group, position)}
          data={FIELD_OPERATORS[row.field].map((op) => ({ value: op, label: t.triggers.ops[op] }))}
          value={row.op}
          onChange={(op) => op && onChange({ ...row, op: op as RuleConditionOperator })}
          allowDeselect={false}
          w={150}
        />
        <div style={{ flex: 1, minWidth: 180 }}>{value}</div>
        <Button variant="subtle" color="red" size="xs" mt={24} onClick={onRemove} aria-label={t.triggers.removeCondition(group, position)}>
          ✕
        </Button>
      </Group>
    </Paper>
  );
}

function ConditionGroup({ label, group, rows, setRows, people, teams }: { label: string; group: string; rows: ConditionRow[]; setRows(update: (rows: ConditionRow[]) => ConditionRow[]): void; people: Option[]; teams: Option[] }) {
  return (
    <Stack gap="xs" role="group" aria-label={label}>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      {rows.map((row, index) => (
        <ConditionEditor
          key={row.key}
          row={row}
          group={group}
          position={index + 1}
          people={people}
          teams={teams}
          onChange={(next) => setRows((current) => current.map((item) => (item.key === row.key ? next : item)))}
          onRemove={() => setRows((current) => current.filter((item) => item.key !== row.key))}
        />
      ))}
      <Group>
        <Button variant="light" size="xs" onClick={() => setRows((current) => [...current, newCondition()])} aria-label={`${t.triggers.addCondition}: ${label}`}>
          {t.triggers.addCondition}
        </Button>
      </Group>
    </Stack>
  );
}

/** The macro action editor's kinds, plus notify (webhooks arrive with the integrations work). */
function ActionEditor({ row, position, onChange, onRemove, people, teams }: { row: RuleActionRow; position: number; onChange(row: RuleActionRow): void; onRemove(): void; people: Option[]; teams: Option[] }) {
  const kinds = RULE_ACTION_KINDS.map((kind) => ({ value: kind, label: kind === 'notify' ? t.triggers.notify : t.macros.actionKinds[kind] }));
  const value = (() => {
    switch (row.kind) {
      case 'status':
        return <Select label={t.macros.value(position)} data={STATUSES.map((status) => ({ value: status, label: t.status[status] }))} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? 'open' })} allowDeselect={false} />;
      case 'priority':
        return <Select label={t.macros.value(position)} data={PRIORITIES.map((priority) => ({ value: priority, label: t.priority[priority] }))} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? 'normal' })} allowDeselect={false} />;
      case 'assigneeId':
        return <Select label={t.macros.value(position)} data={[{ value: '', label: t.macros.unassigned }, ...people]} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? '' })} searchable allowDeselect={false} />;
      case 'teamId':
        return <Select label={t.macros.value(position)} data={[{ value: '', label: t.macros.noTeam }, ...teams]} value={row.value} onChange={(next) => onChange({ ...row, value: next ?? '' })} allowDeselect={false} />;
      case 'addTags':
      case 'removeTags':
        return <TagsInput label={t.macros.tagsValue(position)} value={row.tags} onChange={(tags) => onChange({ ...row, tags })} />;
      case 'reply':
      case 'note':
        return <Textarea label={t.macros.body(position)} description={t.macros.placeholders} value={row.body} onChange={(event) => onChange({ ...row, body: event.currentTarget.value })} autosize minRows={3} />;
      case 'notify':
        return (
          <Stack gap="xs">
            <Select
              label={t.triggers.notifyTo(position)}
              data={NOTIFY_TARGETS.map((target) => ({ value: target, label: t.triggers.notifyTargets[target] }))}
              value={row.to}
              onChange={(next) => onChange({ ...row, to: (next ?? 'assignee') as NotifyTarget })}
              allowDeselect={false}
            />
            {row.to === 'address' ? <TextInput label={t.triggers.notifyAddress(position)} type="email" value={row.address} onChange={(event) => onChange({ ...row, address: event.currentTarget.value })} /> : null}
            <TextInput label={t.triggers.notifySubject(position)} value={row.subject} onChange={(event) => onChange({ ...row, subject: event.currentTarget.value })} />
            <Textarea label={t.macros.body(position)} description={t.macros.placeholders} value={row.body} onChange={(event) => onChange({ ...row, body: event.currentTarget.value })} autosize minRows={3} />
          </Stack>
        );
    }
  })();
  return (
    <Paper withBorder p="xs">
      <Group align="start" wrap="wrap">
        <Select label={t.macros.actionType(position)} data={kinds} value={row.kind} onChange={(kind) => kind && onChange({ ...newAction(kind as RuleActionKind), key: row.key })} allowDeselect={false} w={200} />
        <div style={{ flex: 1, minWidth: 200 }}>{value}</div>
        <Button variant="subtle" color="red" size="xs" mt={24} onClick={onRemove} aria-label={t.macros.removeAction(position)}>
          ✕
        </Button>
      </Group>
    </Paper>
  );
}

function TriggerForm({ trigger, onDone }: { trigger: TriggerView | null; onDone(): void }) {
  const create = useCreateTrigger();
  const update = useUpdateTrigger();
  const { assignable } = useUserDirectory();
  const teamsQuery = useTeams();
  const [name, setName] = useState(trigger?.name ?? '');
  const [event, setEvent] = useState<TriggerEvent>(trigger?.event ?? 'ticket.created');
  const [active, setActive] = useState(trigger?.active ?? true);
  const [all, setAll] = useState<ConditionRow[]>(trigger ? trigger.all.map(conditionRowOf) : []);
  const [any, setAny] = useState<ConditionRow[]>(trigger ? trigger.any.map(conditionRowOf) : []);
  const [actions, setActions] = useState<RuleActionRow[]>(trigger ? trigger.actions.map(actionRowOf) : [newAction()]);
  const [error, setError] = useState<string | null>(null);
  const people = assignable.map((user) => ({ value: user.id, label: user.name }));
  const teams = (teamsQuery.data ?? []).map((team) => ({ value: team.id, label: team.name }));
  const submit = () => {
    setError(null);
    const input = { name: name.trim(), event, active, all: all.map(conditionOf), any: any.map(conditionOf), actions: actions.map(ruleActionOf) };
    const done = {
      onSuccess: () => {
        notifications.show({ color: 'green', message: t.triggers.saved(input.name) });
        onDone();
      },
      onError: (failure: unknown) => setError(describeError(failure)),
    };
    if (trigger) update.mutate({ id: trigger.id, ...input }, done);
    else create.mutate(input, done);
  };
  return (
    <form
      noValidate
      onSubmit={(submitted) => {
        submitted.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        <FormError message={error} />
        <TextInput label={t.triggers.name} required value={name} onChange={(change) => setName(change.currentTarget.value)} />
        <Select label={t.triggers.event} data={TRIGGER_EVENTS.map((value) => ({ value, label: t.triggers.events[value] }))} value={event} onChange={(next) => next && setEvent(next as TriggerEvent)} allowDeselect={false} />
        <Switch label={t.triggers.active} checked={active} onChange={(change) => setActive(change.currentTarget.checked)} />
        <ConditionGroup label={t.triggers.all} group="all" rows={all} setRows={setAll} people={people} teams={teams} />
        <ConditionGroup label={t.triggers.any} group="any" rows={any} setRows={setAny} people={people} teams={teams} />
        <Text size="sm" fw={600}>
          {t.triggers.actions}
        </Text>
        {actions.map((row, index) => (
          <ActionEditor
            key={row.key}
            row={row}
            position={index + 1}
            people={people}
            teams={teams}
            onChange={(next) => setActions((current) => current.map((item) => (item.key === row.key ? next : item)))}
            onRemove={() => setActions((current) => current.filter((item) => item.key !== row.key))}
          />
        ))}
        <Text size="xs" c="dimmed">
          {t.triggers.webhooksLater}
        </Text>
        <Group justify="space-between">
          <Button variant="light" onClick={() => setActions((current) => [...current, newAction()])}>
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

function DeleteButton({ trigger }: { trigger: TriggerView }) {
  const remove = useDeleteTrigger();
  const [confirming, setConfirming] = useState(false);
  const label = t.triggers.deleteTrigger(trigger.name);
  return (
    <>
      <Button size="xs" variant="subtle" color="red" onClick={() => setConfirming(true)} aria-label={label}>
        {t.macros.delete}
      </Button>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={confirming} onClose={() => setConfirming(false)} title={label}>
        <Stack gap="sm">
          <Text size="sm">{t.triggers.confirmDelete(trigger.name)}</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(trigger.id, { onError: fail, onSuccess: () => notifications.show({ message: t.triggers.deleted(trigger.name) }), onSettled: () => setConfirming(false) })}
            >
              {t.macros.delete}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** `/admin/triggers`: the organization's triggers in firing order, reordered, switched on and off, written with the condition and action builders. */
export function TriggersPage() {
  const triggers = useTriggers();
  const update = useUpdateTrigger();
  const move = useMoveTrigger();
  const [editing, setEditing] = useState<TriggerView | 'new' | null>(null);
  const list = triggers.data ?? [];
  return (
    <AdminPage title={t.triggers.title}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t.triggers.intro}
        </Text>
        <Group>
          <Button onClick={() => setEditing('new')}>{t.triggers.newTrigger}</Button>
        </Group>
        {triggers.error ? <FormError message={describeError(triggers.error)} /> : null}
        {triggers.data?.length === 0 ? <Text c="dimmed">{t.triggers.noTriggers}</Text> : null}
        {list.map((trigger, index) => (
          <Paper key={trigger.id} withBorder p="sm" component="section" aria-label={trigger.name}>
            <Group justify="space-between" wrap="wrap">
              <Stack gap={0}>
                <Group gap="xs">
                  <Text fw={600}>{trigger.name}</Text>
                  {trigger.active ? null : <Badge color="gray">{t.triggers.inactive}</Badge>}
                </Group>
                <Text size="xs" c="dimmed">
                  {t.triggers.events[trigger.event]} · {t.triggers.summary(trigger.all.length + trigger.any.length, trigger.actions.length)}
                </Text>
              </Stack>
              <Group gap="xs">
                <Switch
                  aria-label={t.triggers.activeNamed(trigger.name)}
                  checked={trigger.active}
                  onChange={(change) => update.mutate({ id: trigger.id, active: change.currentTarget.checked }, { onError: fail })}
                />
                <Button size="xs" variant="default" disabled={index === 0 || move.isPending} onClick={() => move.mutate({ triggers: list, index, by: -1 }, { onError: fail })} aria-label={t.triggers.moveUp(trigger.name)}>
                  ↑
                </Button>
                <Button size="xs" variant="default" disabled={index === list.length - 1 || move.isPending} onClick={() => move.mutate({ triggers: list, index, by: 1 }, { onError: fail })} aria-label={t.triggers.moveDown(trigger.name)}>
                  ↓
                </Button>
                <Button size="xs" variant="light" onClick={() => setEditing(trigger)} aria-label={t.triggers.editTrigger(trigger.name)}>
                  {t.macros.edit}
                </Button>
                <DeleteButton trigger={trigger} />
              </Group>
            </Group>
          </Paper>
        ))}
        <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? t.triggers.newTrigger : t.triggers.editTrigger(editing.name)} size="xl">
          {editing !== null ? <TriggerForm trigger={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
        </Modal>
      </Stack>
    </AdminPage>
  );
}
