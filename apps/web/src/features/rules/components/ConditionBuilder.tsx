import { Button, Checkbox, Group, MultiSelect, NumberInput, Paper, Select, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import type { RuleConditionBaseField, TicketFieldView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { PRIORITIES, STATUSES } from '../../tickets/hooks/queue-filters';
import { BASE_FIELDS, CHANNELS, isHoursSince, newConditionRow, operatorsOf, type ConditionRow } from '../utils/rule-rows';

export type Option = { value: string; label: string };
type ConditionGroup = 'all' | 'any';

/** The values a field chooses from, or null where the value is typed (team and assignee add "none" for their single-value operators). */
function choicesOf(row: ConditionRow, fields: readonly TicketFieldView[], people: Option[], teams: Option[]): Option[] | null {
  switch (row.field as RuleConditionBaseField) {
    case 'status':
      return STATUSES.map((status) => ({ value: status, label: t.status[status] }));
    case 'priority':
      return PRIORITIES.map((priority) => ({ value: priority, label: t.priority[priority] }));
    case 'channel':
      return CHANNELS.map((channel) => ({ value: channel, label: t.rules.channels[channel] }));
    case 'assigneeId':
      return people;
    case 'teamId':
      return teams;
  }
  const definition = fields.find((field) => `fields.${field.key}` === row.field);
  if (definition?.type === 'dropdown' || definition?.type === 'multiselect') return definition.options.map((option) => ({ value: option, label: option }));
  if (definition?.type === 'checkbox') return [{ value: 'true', label: t.rules.checked }, { value: 'false', label: t.rules.unchecked }];
  return null;
}

/** The value input of one condition: hours (with the business-hours switch) for a time, a choice where the field has a list, typed otherwise. */
function ConditionValue({ row, label, onChange, fields, people, teams }: { row: ConditionRow; label: string; onChange(row: ConditionRow): void; fields: readonly TicketFieldView[]; people: Option[]; teams: Option[] }) {
  if (isHoursSince(row.field)) {
    return (
      <Group align="end" gap="xs">
        <NumberInput label={t.rules.hours(label)} min={0.1} max={87_600} value={row.hours} onChange={(hours) => onChange({ ...row, hours })} w={120} />
        <Checkbox label={t.rules.businessHours} aria-label={t.rules.businessHoursOf(label)} checked={row.businessHours} onChange={(event) => onChange({ ...row, businessHours: event.currentTarget.checked })} mb={8} />
      </Group>
    );
  }
  const choices = choicesOf(row, fields, people, teams);
  const valueLabel = t.rules.value(label);
  if (row.op === 'in') {
    return choices ? (
      <MultiSelect label={valueLabel} data={choices} value={row.values} onChange={(values) => onChange({ ...row, values })} searchable />
    ) : (
      <TagsInput label={valueLabel} value={row.values} onChange={(values) => onChange({ ...row, values })} />
    );
  }
  if (choices) {
    const withNone = row.field === 'assigneeId' || row.field === 'teamId' ? [{ value: '', label: t.rules.none }, ...choices] : choices;
    return <Select label={valueLabel} data={withNone} value={row.value} onChange={(value) => onChange({ ...row, value: value ?? '' })} searchable allowDeselect={false} />;
  }
  const definition = fields.find((field) => `fields.${field.key}` === row.field);
  if (definition?.type === 'number') return <NumberInput label={valueLabel} value={row.value} onChange={(value) => onChange({ ...row, value: String(value) })} />;
  return <TextInput label={valueLabel} placeholder={definition?.type === 'date' ? 'YYYY-MM-DD' : undefined} value={row.value} onChange={(event) => onChange({ ...row, value: event.currentTarget.value })} />;
}

/**
 * One group of a rule's conditions (`all` or `any`), as triggers and automations write them: the
 * ticket's own fields, the hoursSince.* times and the organization's active custom fields.
 * `startField` is the field a new row starts on.
 */
export function ConditionBuilder({ group, rows, onChange, fields, people, teams, startField }: { group: ConditionGroup; rows: ConditionRow[]; onChange(rows: ConditionRow[]): void; fields: readonly TicketFieldView[]; people: Option[]; teams: Option[]; startField: string }) {
  const fieldOptions = [
    { group: t.rules.ticketFields, items: BASE_FIELDS.map((field) => ({ value: field, label: t.rules.fields[field] })) },
    // An archived field still shows in a stored rule (saving then names the problem); new choices are active fields.
    { group: t.rules.customFields, items: fields.filter((field) => field.active || rows.some((row) => row.field === `fields.${field.key}`)).map((field) => ({ value: `fields.${field.key}`, label: field.label })) },
  ].filter((option) => option.items.length > 0);
  const replace = (row: ConditionRow) => onChange(rows.map((item) => (item.key === row.key ? row : item)));
  const title = group === 'all' ? t.rules.allTitle : t.rules.anyTitle;
  return (
    <Stack gap="xs" role="group" aria-label={title}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      {rows.map((row, index) => {
        const label = t.rules.conditionLabel(group, index + 1);
        return (
          <Paper key={row.key} withBorder p="xs">
            <Group align="end" wrap="wrap">
              <Select label={t.rules.field(label)} data={fieldOptions} value={row.field} onChange={(field) => field && replace({ ...newConditionRow(field, fields), key: row.key })} searchable allowDeselect={false} w={220} />
              <Select
                label={t.rules.operator(label)}
                data={operatorsOf(row.field, fields).map((op) => ({ value: op, label: t.rules.ops[op] }))}
                value={row.op}
                onChange={(op) => op && replace({ ...row, op: op as ConditionRow['op'] })}
                allowDeselect={false}
                w={170}
              />
              <div style={{ flex: 1, minWidth: 200 }}>
                {/* Keyed by field: a searchable Select keeps its typed text, which would filter the new field's choices by the old value's label. */}
                <ConditionValue key={row.field} row={row} label={label} onChange={replace} fields={fields} people={people} teams={teams} />
              </div>
              <Button variant="subtle" color="red" size="xs" onClick={() => onChange(rows.filter((item) => item.key !== row.key))} aria-label={t.rules.removeCondition(label)}>
                ✕
              </Button>
            </Group>
          </Paper>
        );
      })}
      <Group>
        <Button variant="light" size="xs" onClick={() => onChange([...rows, newConditionRow(startField, fields)])}>
          {group === 'all' ? t.rules.addAll : t.rules.addAny}
        </Button>
      </Group>
    </Stack>
  );
}
