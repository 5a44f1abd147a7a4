import { Alert, Button, Group, Select, Stack, TagsInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import type { Availability, TicketFieldView, TicketPriority, TicketStatus, TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { ApiError } from '../../../lib/api-error';
import { describeError } from '../../../lib/errors';
import { AvailabilityBadge } from '../../directory/components/AvailabilityBadge';
import { CustomFieldInputs } from '../../ticket-fields/components/CustomFieldInputs';
import { changedFieldValues, inputValueOf, type FieldInputValue } from '../../ticket-fields/utils/field-values';
import type { TicketChanges } from '../../tickets/api/tickets';
import { PRIORITIES, STATUSES } from '../../tickets/hooks/queue-filters';
import { isConflict } from '../hooks/ticket';

export interface PropertyValues {
  status: TicketStatus;
  priority: TicketPriority;
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
}

type PanelValues = PropertyValues & { fields: Record<string, FieldInputValue> };

const NO_FIELDS: readonly TicketFieldView[] = [];

const valuesOf = (ticket: TicketView, customFields: readonly TicketFieldView[] = NO_FIELDS): PanelValues => ({
  status: ticket.status,
  priority: ticket.priority,
  assigneeId: ticket.assigneeId,
  teamId: ticket.teamId,
  tags: ticket.tags,
  fields: Object.fromEntries(customFields.map((field) => [field.key, inputValueOf(field, ticket.fields?.[field.key])])),
});

/** Only the fields the person changed go into the PATCH. */
export function changedFields(before: PropertyValues, after: PropertyValues): TicketChanges {
  const changes: TicketChanges = {};
  if (after.status !== before.status) changes.status = after.status;
  if (after.priority !== before.priority) changes.priority = after.priority;
  if (after.assigneeId !== before.assigneeId) changes.assigneeId = after.assigneeId;
  if (after.teamId !== before.teamId) changes.teamId = after.teamId;
  if (after.tags.join('\n') !== before.tags.join('\n')) changes.tags = after.tags;
  return changes;
}

interface Props {
  ticket: TicketView;
  assignees: Array<{ value: string; label: string }>;
  /** Each assignee's availability (DESIGN section 14), shown in the picker. */
  availabilityOf?: (userId: string) => Availability | undefined;
  teams: Array<{ value: string; label: string }>;
  /** Saves against `version` (If-Match). */
  onSave(version: number, changes: TicketChanges): Promise<unknown>;
  saving: boolean;
  saveError: unknown;
  onReload(): void;
  /** The other person who changed the ticket, when a live event said so. */
  changedBy?: string | null;
  /** The organization's active custom fields (staff only), edited with the properties. */
  customFields?: readonly TicketFieldView[];
}

/**
 * Status, priority, assignee, team and tags, saved with the version the person saw. When someone
 * else saved first, the server answers 409 and the panel says so instead of overwriting their change.
 */
export function PropertiesPanel({ ticket, assignees, availabilityOf, teams, onSave, saving, saveError, onReload, changedBy, customFields = NO_FIELDS }: Props) {
  const form = useForm<PanelValues>({ initialValues: valuesOf(ticket, customFields) });
  const conflict = isConflict(saveError);
  const fieldErrors = saveError instanceof ApiError ? saveError.fieldErrors(customFields.map((field) => `fields.${field.key}`)).byField : {};
  const definitions = customFields.map((field) => field.id).join();
  // The values another agent saved arrive with the refetch after their event, at a version already shown.
  const savedFieldValues = JSON.stringify(ticket.fields ?? {});

  // A newer version (live update, or after a reload) replaces the values unless the person is editing them.
  useEffect(() => {
    if (!form.isDirty()) {
      form.setValues(valuesOf(ticket, customFields));
      form.resetDirty(valuesOf(ticket, customFields));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new version, or the field definitions arriving, matter
  }, [ticket.version, definitions, savedFieldValues]);

  const assigneeOptions = ticket.assigneeId && !assignees.some((option) => option.value === ticket.assigneeId) ? [...assignees, { value: ticket.assigneeId, label: ticket.assigneeId }] : assignees;

  return (
    <form
      aria-label={t.ticket.properties}
      onSubmit={form.onSubmit((values) => {
        const changes = changedFields(valuesOf(ticket), values);
        // Only the fields this person touched: the others may hold values saved meanwhile by someone else.
        const touched = customFields.filter((field) => form.isDirty(`fields.${field.key}`));
        const fields = changedFieldValues(touched, ticket.fields, values.fields);
        if (Object.keys(fields).length > 0) changes.fields = fields;
        if (Object.keys(changes).length === 0) return;
        void onSave(ticket.version, changes).then(
          () => {
            form.resetDirty();
            notifications.show({ message: t.common.saved, color: 'green' });
          },
          () => undefined,
        );
      })}
    >
      <Stack gap="xs">
        {conflict ? (
          <Alert color="orange" role="alert" title={changedBy ? t.ticket.conflictBy(changedBy) : t.ticket.conflict}>
            <Button
              size="xs"
              variant="white"
              onClick={() => {
                form.resetDirty(valuesOf(ticket, customFields));
                form.setValues(valuesOf(ticket, customFields));
                onReload();
              }}
            >
              {t.common.reload}
            </Button>
          </Alert>
        ) : saveError ? (
          <Alert color="red" role="alert">
            {describeError(saveError)}
          </Alert>
        ) : null}
        <Select label={t.ticket.status} data={STATUSES.map((value) => ({ value, label: t.status[value] }))} allowDeselect={false} {...form.getInputProps('status')} />
        <Select label={t.ticket.priority} data={PRIORITIES.map((value) => ({ value, label: t.priority[value] }))} allowDeselect={false} {...form.getInputProps('priority')} />
        <Select
          label={t.ticket.assignee}
          data={assigneeOptions}
          clearable
          placeholder={t.queue.unassigned}
          searchable
          renderOption={({ option }) => {
            const availability = availabilityOf?.(option.value);
            return (
              <Group gap="xs" justify="space-between" wrap="nowrap" w="100%">
                <span>{option.label}</span>
                {availability ? <AvailabilityBadge user={{ availability, availabilitySetting: availability }} /> : null}
              </Group>
            );
          }}
          {...form.getInputProps('assigneeId')}
        />
        <Select label={t.ticket.team} data={teams} clearable placeholder={t.common.none} {...form.getInputProps('teamId')} />
        <TagsInput label={t.ticket.tags} {...form.getInputProps('tags')} />
        <CustomFieldInputs fields={customFields} form={form} errors={fieldErrors} />
        <Group>
          <Button type="submit" loading={saving} disabled={!form.isDirty()}>
            {t.ticket.saveProperties}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
