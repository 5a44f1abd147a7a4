import { Button, Group, Modal, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TriggerEvent, TriggerView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { AdminPage } from '../../admin/components/AdminPage';
import { FormError } from '../../auth/components/FormError';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { ConditionBuilder } from '../../rules/components/ConditionBuilder';
import { RuleActionEditor } from '../../rules/components/RuleActionEditor';
import { RuleList } from '../../rules/components/RuleList';
import { conditionOf, newRuleAction, RULE_ACTION_KINDS, ruleActionOf, ruleActionRowOf, rowOfCondition, TRIGGER_EVENTS, type ConditionRow, type RuleActionRow } from '../../rules/utils/rule-rows';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { useCreateTrigger, useDeleteTrigger, useMoveTrigger, useTriggers, useUpdateTrigger } from '../hooks/triggers';

const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

function TriggerForm({ trigger, onDone }: { trigger: TriggerView | null; onDone(): void }) {
  const create = useCreateTrigger();
  const update = useUpdateTrigger();
  const { assignable } = useUserDirectory();
  const teamsQuery = useTeams();
  // Archived fields too: a stored trigger may still name one, and its rows need the field's type.
  const fields = useTicketFields(true).data ?? [];
  const [name, setName] = useState(trigger?.name ?? '');
  const [event, setEvent] = useState<TriggerEvent>(trigger?.event ?? 'ticket.created');
  const [active, setActive] = useState(trigger?.active ?? true);
  const [all, setAll] = useState<ConditionRow[]>(trigger ? trigger.all.map(rowOfCondition) : []);
  const [any, setAny] = useState<ConditionRow[]>(trigger ? trigger.any.map(rowOfCondition) : []);
  const [actions, setActions] = useState<RuleActionRow[]>(trigger ? trigger.actions.map((action) => ruleActionRowOf(action, fields)) : [newRuleAction()]);
  const [error, setError] = useState<string | null>(null);
  const people = assignable.map((user) => ({ value: user.id, label: user.name }));
  const teams = (teamsQuery.data ?? []).map((team) => ({ value: team.id, label: team.name }));
  const submit = () => {
    setError(null);
    const input = { name: name.trim(), event, active, all: all.map((row) => conditionOf(row, fields)), any: any.map((row) => conditionOf(row, fields)), actions: actions.map((row) => ruleActionOf(row, fields)) };
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
        <ConditionBuilder group="all" rows={all} onChange={setAll} fields={fields} people={people} teams={teams} startField="status" />
        <ConditionBuilder group="any" rows={any} onChange={setAny} fields={fields} people={people} teams={teams} startField="status" />
        <Text size="sm" fw={600}>
          {t.triggers.actions}
        </Text>
        {actions.map((row, index) => (
          <RuleActionEditor
            key={row.key}
            row={row}
            position={index + 1}
            kinds={RULE_ACTION_KINDS}
            people={people}
            teams={teams}
            fields={fields}
            onChange={(next) => setActions((current) => current.map((item) => (item.key === row.key ? next : item)))}
            onRemove={() => setActions((current) => current.filter((item) => item.key !== row.key))}
          />
        ))}
        <Group justify="space-between">
          <Button variant="light" onClick={() => setActions((current) => [...current, newRuleAction()])}>
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

/** `/admin/triggers`: the organization's triggers in firing order, reordered, switched on and off, written with the condition and action builders. */
export function TriggersPage() {
  const triggers = useTriggers();
  const update = useUpdateTrigger();
  const move = useMoveTrigger();
  const remove = useDeleteTrigger();
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
        <RuleList
          items={list}
          describe={(trigger) => `${t.triggers.events[trigger.event]} · ${t.rules.summary(trigger.all.length + trigger.any.length, trigger.actions.length)}`}
          editLabel={(trigger) => t.triggers.editTrigger(trigger.name)}
          deleteLabel={(trigger) => t.triggers.deleteTrigger(trigger.name)}
          confirmDelete={(trigger) => t.triggers.confirmDelete(trigger.name)}
          onEdit={setEditing}
          onDelete={(trigger, done) => remove.mutate(trigger.id, { onError: fail, onSuccess: () => notifications.show({ message: t.triggers.deleted(trigger.name) }), onSettled: done })}
          deleting={remove.isPending}
          onActiveChange={(trigger, active) => update.mutateAsync({ id: trigger.id, active }).catch(fail)}
          onMove={(index, by) => move.mutate({ triggers: list, index, by }, { onError: fail })}
          moving={move.isPending}
          moveUpLabel={(trigger) => t.triggers.moveUp(trigger.name)}
          moveDownLabel={(trigger) => t.triggers.moveDown(trigger.name)}
        />
        <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? t.triggers.newTrigger : t.triggers.editTrigger(editing.name)} size="xl">
          {editing !== null ? <TriggerForm trigger={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
        </Modal>
      </Stack>
    </AdminPage>
  );
}
