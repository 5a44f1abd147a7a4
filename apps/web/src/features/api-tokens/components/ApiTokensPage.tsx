import { Alert, Badge, Button, Checkbox, Code, CopyButton, Group, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { ApiTokenScope, ApiTokenView, CreatedApiTokenView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { applyApiErrors } from '../../../lib/form-errors';
import { formatDateTime } from '../../../lib/format';
import { AdminPage } from '../../admin/components/AdminPage';
import { AdminTable } from '../../admin/components/AdminTable';
import { ConfirmDestructive } from '../../admin/components/ConfirmDestructive';
import { FormError } from '../../auth/components/FormError';
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from '../hooks/api-tokens';

/** In the order the form lists them; the labels' record type makes a scope missing here a type error. */
const SCOPES = Object.keys(t.apiTokens.scopes) as ApiTokenScope[];

interface TokenFormValues {
  name: string;
  scopes: ApiTokenScope[];
  /** YYYY-MM-DD from the date input, or empty for no expiry. */
  expiresOn: string;
}

/** The token expires at the end of the chosen day, in the admin's time zone. */
const endOfDay = (date: string) => new Date(`${date}T23:59:59`).toISOString();

function CreateTokenForm({ onCreated }: { onCreated: (created: CreatedApiTokenView) => void }) {
  const create = useCreateApiToken();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<TokenFormValues>({
    initialValues: { name: '', scopes: [], expiresOn: '' },
    validate: {
      name: (value) => (value.trim() ? null : t.auth.requiredField),
      scopes: (value) => (value.length > 0 ? null : t.apiTokens.scopeRequired),
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    create.mutate(
      { name: values.name.trim(), scopes: values.scopes, ...(values.expiresOn ? { expiresAt: endOfDay(values.expiresOn) } : {}) },
      { onSuccess: onCreated, onError: (error) => setFormError(applyApiErrors(form, error)) },
    );
  });
  return (
    <form noValidate aria-label={t.apiTokens.create} onSubmit={submit}>
      <Stack gap="xs">
        <TextInput label={t.apiTokens.name} description={t.apiTokens.nameHint} maxLength={100} required {...form.getInputProps('name')} />
        <Checkbox.Group label={t.apiTokens.scopesLabel} required {...form.getInputProps('scopes')}>
          <Stack gap={6} mt={6}>
            {SCOPES.map((scope) => (
              <Checkbox key={scope} value={scope} label={`${scope}: ${t.apiTokens.scopes[scope]}`} />
            ))}
          </Stack>
        </Checkbox.Group>
        <TextInput type="date" label={t.apiTokens.expiresOn} description={t.apiTokens.expiresOnHint} {...form.getInputProps('expiresOn')} />
        <FormError message={formError} />
        <Group justify="end">
          <Button type="submit" loading={create.isPending}>
            {t.apiTokens.create}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The secret, shown once right after creation: only its hash is stored. */
function TokenOnce({ created, onClose }: { created: CreatedApiTokenView; onClose: () => void }) {
  return (
    <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened onClose={onClose} title={t.apiTokens.createdTitle(created.name)} size="lg">
      <Stack gap="xs">
        <Alert color="yellow">{t.apiTokens.shownOnce}</Alert>
        <Group wrap="nowrap" align="center">
          <Code aria-label={t.apiTokens.token} style={{ overflowWrap: 'anywhere', flex: 1 }}>
            {created.token}
          </Code>
          <CopyButton value={created.token}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? t.admin.copied : t.admin.copy}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm">
          {t.apiTokens.usage} <Code>Authorization: Bearer {created.token.slice(0, 10)}…</Code>
        </Text>
        <Group justify="end">
          <Button onClick={onClose}>{t.common.close}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function TokenRow({ token }: { token: ApiTokenView }) {
  const revoke = useRevokeApiToken();
  const expired = token.expiresAt !== null && new Date(token.expiresAt).getTime() <= Date.now();
  return (
    <Table.Tr>
      <Table.Td>
        <Text fw={600} size="sm">
          {token.name}
        </Text>
        <Code>{token.prefix}…</Code>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {token.scopes.map((scope) => (
            <Badge key={scope} size="sm" variant="light">
              {scope}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(token.createdAt)}</Text>
      </Table.Td>
      <Table.Td>
        {expired ? <Badge color="red">{t.apiTokens.expired}</Badge> : <Text size="sm">{token.expiresAt ? formatDateTime(token.expiresAt) : t.apiTokens.never}</Text>}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : t.apiTokens.neverUsed}</Text>
      </Table.Td>
      <Table.Td>
        <ConfirmDestructive
          title={t.apiTokens.revoke(token.name)}
          body={t.apiTokens.revokeConfirm(token.name)}
          confirmLabel={t.apiTokens.revokeShort}
          doneNotice={t.apiTokens.revoked(token.name)}
          pending={revoke.isPending}
          run={(callbacks) => revoke.mutate(token.id, callbacks)}
        />
      </Table.Td>
    </Table.Tr>
  );
}

/** `/admin/api-tokens`: tokens for scripts and integrations (DESIGN section 16). */
export function ApiTokensPage() {
  const tokens = useApiTokens();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiTokenView | null>(null);
  const items = tokens.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <AdminPage title={t.apiTokens.title} loading={tokens.isPending} error={tokens.error}>
      <Text size="sm" c="dimmed">
        {t.apiTokens.hint}
      </Text>
      <Group>
        <Button onClick={() => setCreating(true)}>{t.apiTokens.newToken}</Button>
      </Group>
      <AdminTable
        label={t.apiTokens.title}
        columns={[t.apiTokens.name, t.apiTokens.scopesLabel, t.apiTokens.createdAt, t.apiTokens.expiresAt, t.apiTokens.lastUsedAt, t.admin.actions]}
        minWidth={720}
        empty={items.length === 0 ? t.apiTokens.none : null}
      >
        {items.map((token) => (
          <TokenRow key={token.id} token={token} />
        ))}
      </AdminTable>
      {tokens.hasNextPage ? (
        <Button variant="default" w="fit-content" loading={tokens.isFetchingNextPage} onClick={() => void tokens.fetchNextPage()}>
          {t.common.loadMore}
        </Button>
      ) : null}
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={creating} onClose={() => setCreating(false)} title={t.apiTokens.newToken}>
        <CreateTokenForm
          onCreated={(token) => {
            setCreating(false);
            setCreated(token);
          }}
        />
      </Modal>
      {created ? <TokenOnce created={created} onClose={() => setCreated(null)} /> : null}
    </AdminPage>
  );
}
