import { Badge, Button, Checkbox, Group, Modal, Paper, Select, Stack, Switch, Table, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TicketFieldType, TicketFieldView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { AdminPage } from '../../admin/components/AdminPage';
import { FormError } from '../../auth/components/FormError';
import { useArchiveTicketField, useCreateTicketField, useTicketFields, useUpdateTicketField } from '../hooks/ticket-fields';
import { FIELD_KEY_PATTERN, FIELD_TYPES, usesOptions } from '../utils/field-types';

interface NewFieldValues {
  key: string;
  label: string;
  type: TicketFieldType;
  options: string[];
  requiredToSolve: boolean;
}

const showError = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

/** `/admin/ticket-fields`: the organization's custom ticket fields, created, edited and archived by admins. */
export function TicketFieldsPage() {
  const [showArchived, setShowArchived] = useState(false);
  const fields = useTicketFields(true);
  const [editing, setEditing] = useState<TicketFieldView | null>(null);
  const archive = useArchiveTicketField();
  const update = useUpdateTicketField();
  const shown = (fields.data ?? []).filter((field) => showArchived || field.active);

  return (
    <AdminPage title={t.ticketFields.title} loading={fields.isPending} error={fields.error}>
      <Text size="sm" c="dimmed">
        {t.ticketFields.hint}
      </Text>
      <NewFieldForm />
      <Switch label={t.ticketFields.showArchived} checked={showArchived} onChange={(event) => setShowArchived(event.currentTarget.checked)} />
      {shown.length === 0 ? (
        <Text size="sm">{t.ticketFields.none}</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t.ticketFields.label}</Table.Th>
                <Table.Th>{t.ticketFields.key}</Table.Th>
                <Table.Th>{t.ticketFields.type}</Table.Th>
                <Table.Th>{t.ticketFields.options}</Table.Th>
                <Table.Th>{t.ticketFields.requiredToSolve}</Table.Th>
                <Table.Th>{t.ticketFields.status}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((field) => (
                <Table.Tr key={field.id}>
                  <Table.Td>{field.label}</Table.Td>
                  <Table.Td>
                    <code>{field.key}</code>
                  </Table.Td>
                  <Table.Td>{t.ticketFields.types[field.type]}</Table.Td>
                  <Table.Td>{field.options.join(', ') || '—'}</Table.Td>
                  <Table.Td>{field.requiredToSolve ? '✓' : '—'}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" color={field.active ? 'green' : 'gray'}>
                      {field.active ? t.ticketFields.active : t.ticketFields.archived}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="subtle" onClick={() => setEditing(field)}>
                        {t.ticketFields.edit(field.label)}
                      </Button>
                      {field.active ? (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => archive.mutate(field.id, { onSuccess: () => notifications.show({ message: t.ticketFields.archivedNotice(field.label) }), onError: showError })}
                        >
                          {t.ticketFields.archive(field.label)}
                        </Button>
                      ) : (
                        <Button size="xs" variant="subtle" onClick={() => update.mutate({ id: field.id, active: true }, { onError: showError })}>
                          {t.ticketFields.restore(field.label)}
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing ? t.ticketFields.editTitle(editing.label) : ''}>
        {editing ? <EditFieldForm field={editing} onDone={() => setEditing(null)} /> : null}
      </Modal>
    </AdminPage>
  );
}

function NewFieldForm() {
  const create = useCreateTicketField();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<NewFieldValues>({
    initialValues: { key: '', label: '', type: 'text', options: [], requiredToSolve: false },
    validate: {
      key: (value) => (FIELD_KEY_PATTERN.test(value) ? null : t.ticketFields.keyHint),
      label: (value) => (value.trim() ? null : t.auth.requiredField),
      options: (value, values) => (usesOptions(values.type) && value.length === 0 ? t.auth.requiredField : null),
    },
  });
  const { type } = form.getValues();
  return (
    <Paper withBorder p="sm">
      <form
        noValidate
        aria-label={t.ticketFields.newField}
        onSubmit={form.onSubmit((values) => {
          setFormError(null);
          create.mutate(
            { ...values, label: values.label.trim(), options: usesOptions(values.type) ? values.options : undefined },
            {
              onSuccess: (field) => {
                form.reset();
                notifications.show({ color: 'green', message: t.ticketFields.created(field.label) });
              },
              onError: (error) => setFormError(applyApiErrors(form, error)),
            },
          );
        })}
      >
        <Stack gap="xs">
          <FormError message={formError} />
          <Group align="start" wrap="wrap">
            <TextInput label={t.ticketFields.label} required {...form.getInputProps('label')} />
            <TextInput label={t.ticketFields.key} description={t.ticketFields.keyHint} required {...form.getInputProps('key')} w={260} />
            <Select
              label={t.ticketFields.type}
              data={FIELD_TYPES.map((value) => ({ value, label: t.ticketFields.types[value] }))}
              allowDeselect={false}
              {...form.getInputProps('type')}
              w={160}
            />
            {usesOptions(type) ? <TagsInput label={t.ticketFields.options} description={t.ticketFields.optionsHint} required {...form.getInputProps('options')} w={320} /> : null}
          </Group>
          <Group>
            <Checkbox label={t.ticketFields.requiredToSolve} {...form.getInputProps('requiredToSolve', { type: 'checkbox' })} />
            <Button type="submit" loading={create.isPending}>
              {t.ticketFields.create}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** Label, options and required-to-solve; the key and type are fixed once created. */
function EditFieldForm({ field, onDone }: { field: TicketFieldView; onDone(): void }) {
  const update = useUpdateTicketField();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { label: field.label, options: field.options, requiredToSolve: field.requiredToSolve },
    validate: { label: (value) => (value.trim() ? null : t.auth.requiredField) },
  });
  return (
    <form
      noValidate
      aria-label={t.ticketFields.editTitle(field.label)}
      onSubmit={form.onSubmit((values) => {
        setFormError(null);
        update.mutate(
          { id: field.id, label: values.label.trim(), requiredToSolve: values.requiredToSolve, ...(usesOptions(field.type) ? { options: values.options } : {}) },
          {
            onSuccess: () => {
              notifications.show({ color: 'green', message: t.ticketFields.saved });
              onDone();
            },
            onError: (error) => setFormError(applyApiErrors(form, error)),
          },
        );
      })}
    >
      <Stack gap="xs">
        <FormError message={formError} />
        <Text size="sm">
          {t.ticketFields.key}: <code>{field.key}</code> · {t.ticketFields.type}: {t.ticketFields.types[field.type]}
        </Text>
        <TextInput label={t.ticketFields.label} required {...form.getInputProps('label')} />
        {usesOptions(field.type) ? <TagsInput label={t.ticketFields.options} description={t.ticketFields.optionsHint} {...form.getInputProps('options')} /> : null}
        <Checkbox label={t.ticketFields.requiredToSolve} {...form.getInputProps('requiredToSolve', { type: 'checkbox' })} />
        <Group>
          <Button type="submit" loading={update.isPending}>
            {t.ticketFields.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
