import { Button, FileInput, Group, Paper, Progress, Select, Stack, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { TicketPriority } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { FormError } from '../../auth/components/FormError';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { uploadAttachment } from '../api/upload';
import { useCreateTicket } from '../hooks/tickets';
import { PRIORITIES } from '../hooks/queue-filters';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
/** The description is rich text on the server; plain paragraphs from the textarea. */
const toHtml = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');

/** `/tickets/new`: staff open a ticket for a requester; customers send a request. Attachments upload after creation. */
export function NewTicketPage() {
  const me = useCurrentUser();
  const staff = me.user.role !== 'customer';
  const create = useCreateTicket();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<string, number>>({});
  const form = useForm({
    initialValues: { subject: '', description: '', priority: 'normal' as TicketPriority, tags: [] as string[], requesterEmail: '', requesterName: '', files: [] as File[] },
    validate: {
      subject: (value) => (value.trim() ? null : t.auth.requiredField),
      description: (value) => (value.trim() ? null : t.auth.requiredField),
    },
  });

  const submit = form.onSubmit(async ({ files, ...values }) => {
    setFormError(null);
    let ticket;
    try {
      ticket = await create.mutateAsync({
        subject: values.subject.trim(),
        description: toHtml(values.description.trim()),
        priority: values.priority,
        ...(staff && values.tags.length ? { tags: values.tags } : {}),
        ...(staff && values.requesterEmail.trim() ? { requesterEmail: values.requesterEmail.trim() } : {}),
        ...(staff && values.requesterName.trim() ? { requesterName: values.requesterName.trim() } : {}),
      });
    } catch (error) {
      setFormError(applyApiErrors(form, error));
      return;
    }
    for (const file of files) {
      try {
        await uploadAttachment(ticket.id, file, (fraction) => setProgress((current) => ({ ...current, [file.name]: fraction })));
      } catch (error) {
        notifications.show({ color: 'red', message: t.ticket.uploadFailed(file.name, describeError(error)), autoClose: false });
      }
    }
    notifications.show({ color: 'green', message: t.ticket.created201(ticket.number) });
    void navigate(`/tickets/${ticket.id}`);
  });

  return (
    <Stack p={{ base: 'xs', sm: 'md' }} maw={720}>
      <Title order={1} size="h3">
        {staff ? t.ticket.newTitle : t.ticket.newCustomerTitle}
      </Title>
      <Paper withBorder p="md">
        <form noValidate onSubmit={submit}>
          <Stack>
            <FormError message={formError} />
            {staff ? (
              <Group grow align="start">
                <TextInput label={t.ticket.requesterEmail} type="email" {...form.getInputProps('requesterEmail')} />
                <TextInput label={t.ticket.requesterName} {...form.getInputProps('requesterName')} />
              </Group>
            ) : null}
            <TextInput label={t.ticket.subject} required {...form.getInputProps('subject')} />
            <Textarea label={t.ticket.description} required autosize minRows={6} {...form.getInputProps('description')} />
            <Group grow align="start">
              <Select label={t.ticket.priority} data={PRIORITIES.map((value) => ({ value, label: t.priority[value] }))} allowDeselect={false} {...form.getInputProps('priority')} />
              {staff ? <TagsInput label={t.ticket.tags} {...form.getInputProps('tags')} /> : null}
            </Group>
            <FileInput label={t.ticket.attachFiles} multiple clearable {...form.getInputProps('files')} />
            {Object.entries(progress).map(([name, fraction]) => (
              <div key={name}>
                <Text size="xs">{t.ticket.uploading(name)}</Text>
                <Progress value={fraction * 100} aria-label={t.ticket.uploading(name)} />
              </div>
            ))}
            <Button type="submit" loading={form.submitting || create.isPending} w="fit-content">
              {staff ? t.ticket.create : t.ticket.createCustomer}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}
