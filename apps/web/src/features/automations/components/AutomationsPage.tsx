import { Anchor, Button, Group, Modal, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import type { AutomationView, RuleAction } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { AdminPage } from '../../admin/components/AdminPage';
import { FormError } from '../../auth/components/FormError';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { ConditionBuilder } from '../../rules/components/ConditionBuilder';
import { RuleActionEditor } from '../../rules/components/RuleActionEditor';
import { RuleList } from '../../rules/components/RuleList';
import { conditionOf, newConditionRow, newRuleAction, RULE_ACTION_KINDS, ruleActionOf, ruleActionRowOf, rowOfCondition, type ConditionRow, type RuleActionRow } from '../../rules/utils/rule-rows';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { useAutomationPreview, useAutomations, useCreateAutomation, useDeleteAutomation, useUpdateAutomation } from '../hooks/automations';

const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

/** A macro's actions and a webhook; notify actions are written through the API only (the builder keeps them as they are). */
const AUTOMATION_ACTION_KINDS = RULE_ACTION_KINDS.filter((kind) => kind !== 'notify');
const isBuilderAction = (action: RuleAction) => action.type !== 'notify';

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
  const [actions, setActions] = useState<RuleActionRow[]>(automation ? automation.actions.filter(isBuilderAction).map((action) => ruleActionRowOf(action, fields)) : [newRuleAction('addTags')]);
  // Notify actions written through the API are kept as they are: the builder edits the others.
  const kept = automation ? automation.actions.filter((action) => !isBuilderAction(action)) : [];
  const [error, setError] = useState<string | null>(null);
  const people = assignable.map((user) => ({ value: user.id, label: user.name }));
  const teamOptions = (teams.data ?? []).map((team) => ({ value: team.id, label: team.name }));
  const submit = () => {
    setError(null);
    const input = { name: name.trim(), active, all: all.map((row) => conditionOf(row, fields)), any: any.map((row) => conditionOf(row, fields)), actions: [...actions.map((row) => ruleActionOf(row, fields)), ...kept] };
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
        <ConditionBuilder group="all" rows={all} onChange={setAll} fields={fields} people={people} teams={teamOptions} startField="hoursSince.pending" />
        <ConditionBuilder group="any" rows={any} onChange={setAny} fields={fields} people={people} teams={teamOptions} startField="status" />
        <Text size="sm" fw={600}>
          {t.automations.actions}
        </Text>
        {actions.map((row, index) => (
          <RuleActionEditor
            key={row.key}
            row={row}
            position={index + 1}
            kinds={AUTOMATION_ACTION_KINDS}
            people={people}
            teams={teamOptions}
            fields={fields}
            onChange={(next) => setActions((current) => current.map((item) => (item.key === row.key ? next : item)))}
            onRemove={() => setActions((current) => current.filter((item) => item.key !== row.key))}
          />
        ))}
        <Group justify="space-between">
          <Button variant="light" onClick={() => setActions((current) => [...current, newRuleAction('addTags')])}>
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
        <RuleList
          items={automations.data?.items ?? []}
          describe={(automation) => t.rules.summary(automation.all.length + automation.any.length, automation.actions.length)}
          editLabel={(automation) => t.automations.editOf(automation.name)}
          deleteLabel={(automation) => t.automations.deleteOf(automation.name)}
          confirmDelete={(automation) => t.automations.confirmDelete(automation.name)}
          onEdit={setEditing}
          onDelete={(automation, done) => remove.mutate(automation.id, { onError: fail, onSuccess: () => notifications.show({ message: t.automations.deleted(automation.name) }), onSettled: done })}
          deleting={remove.isPending}
          onActiveChange={(automation, active) => update.mutateAsync({ id: automation.id, active }).catch(fail)}
          extraActions={(automation) => (
            <Button size="xs" variant="light" onClick={() => setPreviewing(automation)} aria-label={t.automations.previewOf(automation.name)}>
              {t.automations.preview}
            </Button>
          )}
        />
      </Stack>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? t.automations.newAutomation : t.automations.editOf(editing.name)} size="xl">
        {editing !== null ? <AutomationForm automation={editing === 'new' ? null : editing} onDone={() => setEditing(null)} /> : null}
      </Modal>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={previewing !== null} onClose={() => setPreviewing(null)} title={previewing ? t.automations.previewTitle(previewing.name) : ''} size="lg">
        {previewing ? <PreviewList automationId={previewing.id} /> : null}
      </Modal>
    </AdminPage>
  );
}
