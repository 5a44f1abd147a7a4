import { Select, Stack, Textarea, TextInput } from '@mantine/core';
import type { TicketFieldView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { ActionEditor, MacroActionInput } from '../../macros/components/ActionEditor';
import { useWebhooks } from '../../webhooks/hooks/webhooks';
import { newRuleAction, NOTIFY_TARGETS, type NotifyTarget, type RuleActionKind, type RuleActionRow } from '../utils/rule-rows';
import type { Option } from './ConditionBuilder';

const kindLabel = (kind: RuleActionKind) => (kind === 'notify' ? t.rules.notify : kind === 'webhook' ? t.rules.webhook : t.macros.actionKinds[kind]);

/** Which of the organization's webhooks a webhook action sends the ticket to. */
function WebhookInput({ row, position, onChange }: { row: RuleActionRow; position: number; onChange(row: RuleActionRow): void }) {
  const webhooks = useWebhooks();
  const options = (webhooks.data?.items ?? []).map((webhook) => ({ value: webhook.id, label: webhook.active ? webhook.url : t.rules.webhookDisabled(webhook.url) }));
  return (
    <Select
      label={t.rules.webhookTarget(position)}
      description={options.length === 0 && !webhooks.isLoading ? t.rules.webhookNone : t.rules.webhookHint}
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
        label={t.rules.notifyTo(position)}
        data={NOTIFY_TARGETS.map((target) => ({ value: target, label: t.rules.notifyTargets[target] }))}
        value={row.to}
        onChange={(next) => onChange({ ...row, to: (next ?? 'assignee') as NotifyTarget })}
        allowDeselect={false}
      />
      {row.to === 'address' ? <TextInput label={t.rules.notifyAddress(position)} type="email" value={row.address} onChange={(event) => onChange({ ...row, address: event.currentTarget.value })} /> : null}
      <TextInput label={t.rules.notifySubject(position)} value={row.subject} onChange={(event) => onChange({ ...row, subject: event.currentTarget.value })} />
      <Textarea label={t.macros.body(position)} description={t.macros.placeholders} value={row.body} onChange={(event) => onChange({ ...row, body: event.currentTarget.value })} autosize minRows={3} />
    </Stack>
  );
}

export interface RuleActionEditorProps {
  row: RuleActionRow;
  position: number;
  /** The kinds this builder offers (a trigger's all of them; an automation's without notify). */
  kinds: readonly RuleActionKind[];
  onChange(row: RuleActionRow): void;
  onRemove(): void;
  people: Option[];
  teams: Option[];
  fields: readonly TicketFieldView[];
}

/** A macro's action line (custom fields included) with a rule's notify and webhook actions added. */
export function RuleActionEditor({ row, position, kinds, onChange, onRemove, people, teams, fields }: RuleActionEditorProps) {
  return (
    <ActionEditor
      kind={row.kind}
      kinds={kinds.map((kind) => ({ value: kind, label: kindLabel(kind) }))}
      onKindChange={(kind: RuleActionKind) => onChange({ ...newRuleAction(kind), key: row.key })}
      position={position}
      onRemove={onRemove}
    >
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
