import { Badge, Button, Checkbox, Code, Group, Modal, PasswordInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { WebhookDeliveryStatus, WebhookDeliveryView, WebhookView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { formatDateTime } from '../../../lib/format';
import { AdminPage } from '../../admin/components/AdminPage';
import { AdminTable } from '../../admin/components/AdminTable';
import { ConfirmDestructive } from '../../admin/components/ConfirmDestructive';
import { FormError } from '../../auth/components/FormError';
import { useCreateWebhook, useDeleteWebhook, useRedeliver, useSendTestEvent, useUpdateWebhook, useWebhookDeliveries, useWebhooks } from '../hooks/webhooks';

/** In the order the form lists them; the labels' record type makes an event missing here a type error. */
const EVENT_TYPES = Object.keys(t.webhooks.eventTypes);
const ALL_EVENTS = '*';

const STATUS_COLORS: Record<WebhookDeliveryStatus, string> = { pending: 'blue', succeeded: 'green', failed: 'orange', dead: 'red' };

interface WebhookFormValues {
  url: string;
  events: string[];
  secret: string;
  description: string;
  orderedPerTicket: boolean;
}

const notifyError = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

/** Create (every field) or edit (`webhook` given: an empty secret keeps the stored one). */
function WebhookForm({ webhook, onDone }: { webhook?: WebhookView; onDone: () => void }) {
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<WebhookFormValues>({
    initialValues: {
      url: webhook?.url ?? '',
      events: webhook?.events ?? [],
      secret: '',
      description: webhook?.description ?? '',
      orderedPerTicket: webhook?.orderedPerTicket ?? false,
    },
    validate: {
      url: (value) => (value.trim() ? null : t.auth.requiredField),
      events: (value) => (value.length > 0 ? null : t.webhooks.eventRequired),
      secret: (value) => (webhook || value ? null : t.auth.requiredField),
    },
  });
  const allEvents = form.values.events.includes(ALL_EVENTS);
  const submit = form.onSubmit((values) => {
    setFormError(null);
    const onError = (error: unknown) => setFormError(applyApiErrors(form, error));
    const fields = { url: values.url.trim(), events: values.events, orderedPerTicket: values.orderedPerTicket };
    if (webhook) {
      update.mutate(
        { id: webhook.id, changes: { ...fields, description: values.description.trim() || null, ...(values.secret ? { secret: values.secret } : {}) } },
        { onSuccess: onDone, onError },
      );
    } else {
      create.mutate({ ...fields, secret: values.secret, ...(values.description.trim() ? { description: values.description.trim() } : {}) }, { onSuccess: onDone, onError });
    }
  });
  return (
    <form noValidate aria-label={webhook ? t.webhooks.edit(webhook.url) : t.webhooks.create} onSubmit={submit}>
      <Stack gap="xs">
        <TextInput label={t.webhooks.url} description={t.webhooks.urlHint} placeholder="https://example.com/hooks/helpdesk" maxLength={2000} required {...form.getInputProps('url')} />
        <Checkbox
          label={t.webhooks.allEvents}
          checked={allEvents}
          onChange={(event) => form.setFieldValue('events', event.currentTarget.checked ? [ALL_EVENTS] : [])}
        />
        {allEvents ? null : (
          <Checkbox.Group label={t.webhooks.events} required {...form.getInputProps('events')}>
            <Stack gap={4} mt={6}>
              {EVENT_TYPES.map((type) => (
                <Checkbox key={type} value={type} label={`${type}: ${t.webhooks.eventTypes[type as keyof typeof t.webhooks.eventTypes]}`} />
              ))}
            </Stack>
          </Checkbox.Group>
        )}
        <PasswordInput
          label={t.webhooks.secret}
          description={webhook ? t.webhooks.secretKeepHint : t.webhooks.secretHint}
          required={!webhook}
          maxLength={256}
          autoComplete="new-password"
          {...form.getInputProps('secret')}
        />
        <TextInput label={t.webhooks.description} maxLength={500} {...form.getInputProps('description')} />
        <Checkbox label={t.webhooks.orderedPerTicket} {...form.getInputProps('orderedPerTicket', { type: 'checkbox' })} />
        <FormError message={formError} />
        <Group justify="end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {webhook ? t.common.save : t.webhooks.create}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeliveryRow({ delivery }: { delivery: WebhookDeliveryView }) {
  const redeliver = useRedeliver();
  return (
    <Table.Tr>
      <Table.Td>
        <Badge color={STATUS_COLORS[delivery.status]} variant="light">
          {t.webhooks.deliveryStatus[delivery.status]}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Code>{delivery.eventType}</Code>
        <Text size="xs" c="dimmed">
          {formatDateTime(delivery.createdAt)}
        </Text>
      </Table.Td>
      <Table.Td>{delivery.attempts}</Table.Td>
      <Table.Td>{delivery.latencyMs === null ? '–' : `${delivery.latencyMs} ms`}</Table.Td>
      <Table.Td>{delivery.responseStatus ?? '–'}</Table.Td>
      <Table.Td style={{ maxWidth: 320 }}>
        {delivery.error ? (
          <Text size="xs" c="red">
            {delivery.error}
          </Text>
        ) : null}
        {delivery.responseExcerpt ? (
          <Code block style={{ maxHeight: 120, overflow: 'auto', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {delivery.responseExcerpt}
          </Code>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Button
          size="xs"
          variant="light"
          loading={redeliver.isPending}
          onClick={() =>
            redeliver.mutate({ webhookId: delivery.webhookId, deliveryId: delivery.id }, { onSuccess: () => notifications.show({ color: 'green', message: t.webhooks.redelivered }), onError: notifyError })
          }
        >
          {t.webhooks.redeliver}
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function DeliveryLog({ webhook }: { webhook: WebhookView }) {
  const deliveries = useWebhookDeliveries(webhook.id);
  const items = deliveries.data?.items ?? [];
  if (deliveries.isPending) return <Text size="sm">{t.common.loading}</Text>;
  if (deliveries.error) return <Text c="red">{describeError(deliveries.error)}</Text>;
  if (items.length === 0) return <Text size="sm">{t.webhooks.noDeliveries}</Text>;
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped aria-label={t.webhooks.deliveries}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t.webhooks.status}</Table.Th>
            <Table.Th>{t.webhooks.event}</Table.Th>
            <Table.Th>{t.webhooks.attempts}</Table.Th>
            <Table.Th>{t.webhooks.latency}</Table.Th>
            <Table.Th>{t.webhooks.responseCode}</Table.Th>
            <Table.Th>{t.webhooks.excerpt}</Table.Th>
            <Table.Th>{t.admin.actions}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function WebhookRow({ webhook, onEdit, onShowDeliveries }: { webhook: WebhookView; onEdit: () => void; onShowDeliveries: () => void }) {
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const sendTest = useSendTestEvent();
  const toggle = () =>
    update.mutate(
      { id: webhook.id, changes: { active: !webhook.active } },
      { onSuccess: () => notifications.show({ color: 'green', message: webhook.active ? t.webhooks.disabledNotice(webhook.url) : t.webhooks.enabled(webhook.url) }), onError: notifyError },
    );
  return (
    <Table.Tr>
      <Table.Td style={{ maxWidth: 280 }}>
        <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
          {webhook.url}
        </Text>
        {webhook.description ? (
          <Text size="xs" c="dimmed">
            {webhook.description}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {webhook.events.map((type) => (
            <Badge key={type} size="sm" variant="light">
              {type}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        {webhook.active ? <Badge color="green">{t.webhooks.active}</Badge> : <Badge color="gray">{t.webhooks.disabled}</Badge>}
        {webhook.disabledReason ? (
          <Text size="xs" c="dimmed">
            {webhook.disabledReason}
          </Text>
        ) : null}
        {webhook.active && webhook.failingSince ? (
          <Text size="xs" c="red.9">
            {t.webhooks.failingSince(formatDateTime(webhook.failingSince))}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{webhook.lastDeliveryAt ? formatDateTime(webhook.lastDeliveryAt) : t.webhooks.never}</Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Button size="xs" variant="subtle" aria-label={t.webhooks.edit(webhook.url)} onClick={onEdit}>
            {t.webhooks.editShort}
          </Button>
          <Button size="xs" variant="subtle" loading={update.isPending} onClick={toggle}>
            {webhook.active ? t.webhooks.disable : t.webhooks.enable}
          </Button>
          <Button
            size="xs"
            variant="subtle"
            loading={sendTest.isPending}
            onClick={() => sendTest.mutate(webhook.id, { onSuccess: () => notifications.show({ color: 'green', message: t.webhooks.testSent }), onError: notifyError })}
          >
            {t.webhooks.sendTest}
          </Button>
          <Button size="xs" variant="subtle" onClick={onShowDeliveries}>
            {t.webhooks.deliveries}
          </Button>
          <ConfirmDestructive
            title={t.webhooks.delete(webhook.url)}
            body={t.webhooks.deleteConfirm(webhook.url)}
            confirmLabel={t.webhooks.deleteShort}
            doneNotice={t.webhooks.deleted(webhook.url)}
            pending={remove.isPending}
            run={(callbacks) => remove.mutate(webhook.id, callbacks)}
          />
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** `/admin/webhooks`: signed event deliveries to the organization's own systems (DESIGN section 16). */
export function WebhooksPage() {
  const webhooks = useWebhooks();
  const [creating, setCreating] = useState(false);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [logId, setLogId] = useState<string | null>(null);
  const items = webhooks.data?.items ?? [];
  const editing = items.find((webhook) => webhook.id === editingId);
  const logOf = items.find((webhook) => webhook.id === logId);
  return (
    <AdminPage title={t.webhooks.title} loading={webhooks.isPending} error={webhooks.error}>
      <Text size="sm" c="dimmed">
        {t.webhooks.hint}
      </Text>
      <Group>
        <Button onClick={() => setCreating(true)}>{t.webhooks.newWebhook}</Button>
      </Group>
      <AdminTable
        label={t.webhooks.title}
        columns={[t.webhooks.url, t.webhooks.events, t.webhooks.status, t.webhooks.lastDelivery, t.admin.actions]}
        minWidth={860}
        empty={items.length === 0 ? t.webhooks.none : null}
      >
        {items.map((webhook) => (
          <WebhookRow key={webhook.id} webhook={webhook} onEdit={() => setEditingId(webhook.id)} onShowDeliveries={() => setLogId(webhook.id)} />
        ))}
      </AdminTable>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={creating} onClose={() => setCreating(false)} title={t.webhooks.newWebhook} size="lg">
        <WebhookForm onDone={() => setCreating(false)} />
      </Modal>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={editing !== undefined} onClose={() => setEditingId(null)} title={editing ? t.webhooks.edit(editing.url) : ''} size="lg">
        {editing ? <WebhookForm key={editing.id} webhook={editing} onDone={() => setEditingId(null)} /> : null}
      </Modal>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={logOf !== undefined} onClose={() => setLogId(null)} title={logOf ? t.webhooks.deliveriesOf(logOf.url) : ''} size="90%">
        {logOf ? <DeliveryLog webhook={logOf} /> : null}
      </Modal>
    </AdminPage>
  );
}
