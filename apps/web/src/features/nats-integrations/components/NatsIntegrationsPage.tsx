import { Alert, Anchor, Button, Code, CopyButton, Group, Modal, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { CreatedNatsIntegrationView, NatsIntegrationView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { applyApiErrors } from '../../../lib/form-errors';
import { formatDateTime } from '../../../lib/format';
import { AdminPage } from '../../admin/components/AdminPage';
import { AdminTable } from '../../admin/components/AdminTable';
import { ConfirmDestructive } from '../../admin/components/ConfirmDestructive';
import { FormError } from '../../auth/components/FormError';
import { useCreateNatsIntegration, useNatsIntegrations, useRevokeNatsIntegration } from '../hooks/nats-integrations';

const ASYNCAPI_URL = '/api/asyncapi.json';

function CreateIntegrationForm({ onCreated }: { onCreated: (created: CreatedNatsIntegrationView) => void }) {
  const create = useCreateNatsIntegration();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ name: string }>({ initialValues: { name: '' }, validate: { name: (value) => (value.trim() ? null : t.auth.requiredField) } });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    create.mutate({ name: values.name.trim() }, { onSuccess: onCreated, onError: (error) => setFormError(applyApiErrors(form, error)) });
  });
  return (
    <form noValidate aria-label={t.natsIntegrations.create} onSubmit={submit}>
      <Stack gap="xs">
        <TextInput label={t.natsIntegrations.name} description={t.natsIntegrations.nameHint} maxLength={100} required {...form.getInputProps('name')} />
        <FormError message={formError} />
        <Group justify="end">
          <Button type="submit" loading={create.isPending}>
            {t.natsIntegrations.create}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function CopyValueButton({ label, value }: { label: string; value: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button size="xs" variant="light" aria-label={copied ? t.natsIntegrations.copied(label) : t.natsIntegrations.copy(label)} onClick={copy}>
          {copied ? t.admin.copied : t.admin.copy}
        </Button>
      )}
    </CopyButton>
  );
}

/** A value to copy, with its label read by screen readers. */
function Copyable({ label, value }: { label: string; value: string }) {
  return (
    <Group wrap="nowrap" align="start">
      <Code aria-label={label} style={{ overflowWrap: 'anywhere', flex: 1 }}>
        {value}
      </Code>
      <CopyValueButton label={label} value={value} />
    </Group>
  );
}

/** The credentials, shown once right after creation: they are not stored. */
function CredentialsOnce({ created, onClose }: { created: CreatedNatsIntegrationView; onClose: () => void }) {
  const { access } = created;
  return (
    <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened onClose={onClose} title={t.natsIntegrations.createdTitle(created.integration.name)} size="xl">
      <Stack gap="xs">
        <Alert color="yellow">{t.natsIntegrations.shownOnce}</Alert>
        {/* A read-only text area: several lines, selectable and reachable by keyboard, copied exactly. */}
        <Textarea label={t.natsIntegrations.credentials} value={created.credentials} readOnly autosize minRows={4} maxRows={10} styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }} />
        <Group justify="end">
          <CopyValueButton label={t.natsIntegrations.credentials} value={created.credentials} />
        </Group>
        <Text size="sm" fw={600}>
          {t.natsIntegrations.serverUrl}
        </Text>
        <Copyable label={t.natsIntegrations.serverUrl} value={access.serverUrl} />
        <Text size="sm" fw={600}>
          {t.natsIntegrations.inboxPrefix}
        </Text>
        <Copyable label={t.natsIntegrations.inboxPrefix} value={access.inboxPrefix} />
        <Text size="sm" fw={600}>
          {t.natsIntegrations.events}
        </Text>
        <Copyable label={t.natsIntegrations.events} value={access.events} />
        <Text size="sm">
          {t.natsIntegrations.stream} <Code>{access.stream}</Code>
        </Text>
        <Text size="sm" fw={600}>
          {t.natsIntegrations.commands}
        </Text>
        <Table aria-label={t.natsIntegrations.commands}>
          <Table.Tbody>
            {Object.entries(access.commands).map(([name, subject]) => (
              <Table.Tr key={name}>
                <Table.Td>
                  <Code>{name}</Code>
                </Table.Td>
                <Table.Td>
                  <Code style={{ overflowWrap: 'anywhere' }}>{subject}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group justify="end">
          <Button onClick={onClose}>{t.common.close}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function IntegrationRow({ integration }: { integration: NatsIntegrationView }) {
  const revoke = useRevokeNatsIntegration();
  return (
    <Table.Tr>
      <Table.Td>
        <Text fw={600} size="sm">
          {integration.name}
        </Text>
        <Code>{integration.natsUser.slice(0, 12)}…</Code>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(integration.createdAt)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{integration.lastUsedAt ? formatDateTime(integration.lastUsedAt) : t.natsIntegrations.neverUsed}</Text>
      </Table.Td>
      <Table.Td>
        <ConfirmDestructive
          title={t.natsIntegrations.revoke(integration.name)}
          body={t.natsIntegrations.revokeConfirm(integration.name)}
          confirmLabel={t.natsIntegrations.revokeShort}
          doneNotice={t.natsIntegrations.revoked(integration.name)}
          pending={revoke.isPending}
          run={(callbacks) => revoke.mutate(integration.id, callbacks)}
        />
      </Table.Td>
    </Table.Tr>
  );
}

/** `/admin/integrations/nats`: other services' credentials for the public NATS server (docs/integrations.md). */
export function NatsIntegrationsPage() {
  const integrations = useNatsIntegrations();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedNatsIntegrationView | null>(null);
  const items = integrations.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <AdminPage title={t.natsIntegrations.title} loading={integrations.isPending} error={integrations.error}>
      <Text size="sm" c="dimmed">
        {t.natsIntegrations.hint}
      </Text>
      <Text size="sm">
        {t.natsIntegrations.reference}{' '}
        {/* Served by the gateway beside the console (docs/asyncapi.yaml), while API_DOCS_ENABLED is on. */}
        <Anchor href={ASYNCAPI_URL} target="_blank" rel="noopener">
          {t.natsIntegrations.referenceLink}
        </Anchor>
      </Text>
      <Group>
        <Button onClick={() => setCreating(true)}>{t.natsIntegrations.newIntegration}</Button>
      </Group>
      <AdminTable
        label={t.natsIntegrations.title}
        columns={[t.natsIntegrations.name, t.natsIntegrations.createdAt, t.natsIntegrations.lastUsedAt, t.admin.actions]}
        minWidth={560}
        empty={items.length === 0 ? t.natsIntegrations.none : null}
      >
        {items.map((integration) => (
          <IntegrationRow key={integration.id} integration={integration} />
        ))}
      </AdminTable>
      {integrations.hasNextPage ? (
        <Button variant="default" w="fit-content" loading={integrations.isFetchingNextPage} onClick={() => void integrations.fetchNextPage()}>
          {t.common.loadMore}
        </Button>
      ) : null}
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={creating} onClose={() => setCreating(false)} title={t.natsIntegrations.newIntegration}>
        <CreateIntegrationForm
          onCreated={(integration) => {
            setCreating(false);
            setCreated(integration);
          }}
        />
      </Modal>
      {created ? <CredentialsOnce created={created} onClose={() => setCreated(null)} /> : null}
    </AdminPage>
  );
}
