import { Button, Checkbox, Group, MultiSelect, NumberInput, Paper, Select, Stack, TagsInput, Textarea, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import type { TicketFieldView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { PRIORITIES, STATUSES } from '../../tickets/hooks/queue-filters';
import { inputValueOf } from '../../ticket-fields/utils/field-values';
import { ACTION_KINDS, newRow, type ActionKind, type ActionRow } from './macro-rows';

type Option = { value: string; label: string };

/** A custom field and its value, the input by the field's type; an empty input clears the value on the ticket. */
function FieldActionInput({ row, position, onChange, fields }: { row: ActionRow; position: number; onChange(row: ActionRow): void; fields: readonly TicketFieldView[] }) {
  const field = fields.find((candidate) => candidate.key === row.fieldKey);
  // An archived field still shows in a stored action (saving then names the problem); new choices are active fields.
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

export interface MacroActionInputProps {
  row: ActionRow;
  position: number;
  onChange(row: ActionRow): void;
  assignees: Option[];
  teams: Option[];
  fields: readonly TicketFieldView[];
}

/** The value of one macro action (the status, the tags, the custom field and its value, the text…), as its kind needs it. */
export function MacroActionInput({ row, position, onChange, assignees, teams, fields }: MacroActionInputProps) {
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
      return <FieldActionInput row={row} position={position} onChange={onChange} fields={fields} />;
    case 'addTags':
    case 'removeTags':
      return <TagsInput label={t.macros.tagsValue(position)} value={row.tags} onChange={(tags) => onChange({ ...row, tags })} />;
    case 'reply':
    case 'note':
      return <Textarea label={t.macros.body(position)} description={t.macros.placeholders} value={row.body} onChange={(event) => onChange({ ...row, body: event.currentTarget.value })} autosize minRows={3} />;
  }
}

/** One line of an action builder: the kind, its value (`children`), and remove. Rules add kinds of their own to a macro's. */
export function ActionEditor<Kind extends string>({ kind, kinds, onKindChange, position, onRemove, children }: { kind: Kind; kinds: readonly { value: Kind; label: string }[]; onKindChange(kind: Kind): void; position: number; onRemove(): void; children: ReactNode }) {
  return (
    <Paper withBorder p="xs">
      <Group align="start" wrap="wrap">
        <Select label={t.macros.actionType(position)} data={kinds} value={kind} onChange={(next) => next && onKindChange(next as Kind)} allowDeselect={false} w={200} />
        <div style={{ flex: 1, minWidth: 200 }}>{children}</div>
        <Button variant="subtle" color="red" size="xs" mt={24} onClick={onRemove} aria-label={t.macros.removeAction(position)}>
          ✕
        </Button>
      </Group>
    </Paper>
  );
}

const MACRO_KINDS = ACTION_KINDS.map((kind) => ({ value: kind, label: t.macros.actionKinds[kind] }));

/** A macro's action line, also the automations' (their actions are a macro's). */
export function MacroActionEditor(props: MacroActionInputProps & { onRemove(): void }) {
  const { row, position, onChange, onRemove } = props;
  return (
    <ActionEditor kind={row.kind} kinds={MACRO_KINDS} onKindChange={(kind: ActionKind) => onChange({ ...newRow(kind), key: row.key })} position={position} onRemove={onRemove}>
      <MacroActionInput {...props} />
    </ActionEditor>
  );
}
