import { Button, Group, Modal, Select, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TicketFieldView, TriggerEvent, TriggerView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { AdminPage } from '../../admin/components/AdminPage';
import { FormError } from '../../auth/components/FormError';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { ActionEditor, MacroActionInput } from '../../macros/components/ActionEditor';
import { ConditionBuilder, type Option } from '../../rules/components/ConditionBuilder';
import { RuleList } from '../../rules/components/RuleList';
import { conditionOf, newRuleAction, NOTIFY_TARGETS, RULE_ACTION_KINDS, ruleActionOf, ruleActionRowOf, rowOfCondition, TRIGGER_EVENTS, type ConditionRow, type NotifyTarget, type RuleActionKind, type RuleActionRow } from '../../rules/utils/rule-rows';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { useWebhooks } from '../../webhooks/hooks/webhooks';
import { useCreateTrigger, useDeleteTrigger, useMoveTrigger, useTriggers, useUpdateTrigger } from '../hooks/triggers';

const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });
const ACTION_KIND_OPTIONS = RULE_ACTION_KINDS.map((kind) => ({ value: kind, label: kind === 'notify' ? t.triggers.notify : kind === 'webhook' ? t.triggers.webhook : t.macros.actionKinds[kind] }));

/** Which of the organization's webhooks a webhook action sends the ticket to. */
function WebhookInput({ row, position, onChange }: { row: RuleActionRow; position: number; onChange(row: RuleActionRow): void }) {
  const webhooks = useWebhooks();
  const options = (webhooks.data?.items ?? []).map((webhook) => ({ value: webhook.id, label: webhook.active ? webhook.url : t.triggers.webhookDisabled(webhook.url) }));
  return (
    <Select
      label={t.triggers.webhookTarget(position)}
      description={options.length === 0 && !webhooks.isLoading ? t.triggers.webhookNone : t.triggers.webhookHint}
      data={options}
      value={row.webhookId || null}
      onChange={(next) => onChange({ ...row, webhookId: next ?? '' })}
      allowDeselect={false}
    />
  );
}

/** Who a notification goes to, its subject and text. */
function NotifyInputs({ row, position, onChange }: { row: RuleActionRow; position: number; onChange(row: RuleActionRow): void }) {
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

/** A macro's action line (custom fields included) with notify and webhook added. */
function RuleActionEditor({ row, position, onChange, onRemove, people, teams, fields }: { row: RuleActionRow; position: number; onChange(row: RuleActionRow): void; onRemove(): void; people: Option[]; teams: Option[]; fields: readonly TicketFieldView[] }) {
  return (
    <ActionEditor kind={row.kind} kinds={ACTION_KIND_OPTIONS} onKindChange={(kind: RuleActionKind) => onChange({ ...newRuleAction(kind), key: row.key })} position={position} onRemove={onRemove}>
      {row.kind === 'notify' ? (
        <NotifyInputs row={row} position={position} onChange={onChange} />
      ) : row.kind === 'webhook' ? (
        <WebhookInput row={row} position={position} onChange={onChange} />
      ) : (
        <MacroActionInput row={{ ...row, kind: row.kind }} position={position} onChange={(next) => onChange({ ...row, ...next })} assignees={people} teams={teams} fields={fields} />
      )}
    </ActionEditor>
  );
}

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
          onActiveChange={(trigger, active) => update.mutate({ id: trigger.id, active }, { onError: fail })}
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
