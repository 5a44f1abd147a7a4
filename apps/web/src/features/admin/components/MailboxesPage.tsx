import { Alert, Badge, Button, Checkbox, Code, CopyButton, Group, Modal, NumberInput, PasswordInput, Stack, Switch, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { MailboxView, MailboxWithTokenView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { applyApiErrors } from '../../../lib/form-errors';
import { formatDateTime } from '../../../lib/format';
import { FormError } from '../../auth/components/FormError';
import type { MailboxInput } from '../api/mailboxes';
import { useCreateMailbox, useDeleteMailbox, useMailboxes, useRotateMailboxToken, useUpdateMailbox } from '../hooks/admin';
import { AdminPage } from './AdminPage';
import { AdminTable } from './AdminTable';

const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(error) });

interface MailboxFormValues {
  address: string;
  useImap: boolean;
  host: string;
  port: number | string;
  tls: boolean;
  user: string;
  password: string;
  folder: string;
}

function initialValues(mailbox?: MailboxView): MailboxFormValues {
  const imap = mailbox?.imap;
  return { address: mailbox?.address ?? '', useImap: mailbox ? imap !== null : true, host: imap?.host ?? '', port: imap?.port ?? 993, tls: imap?.tls ?? true, user: imap?.user ?? '', password: '', folder: imap?.folder ?? 'INBOX' };
}

function toInput(values: MailboxFormValues): MailboxInput {
  if (!values.useImap) return { address: values.address.trim(), imap: null };
  return {
    address: values.address.trim(),
    imap: { host: values.host.trim(), port: Number(values.port), tls: values.tls, user: values.user.trim(), folder: values.folder.trim() || 'INBOX', ...(values.password ? { password: values.password } : {}) },
  };
}

/**
 * Create or edit: the server checks the IMAP settings before saving (log in, open the folder), so a
 * refused login, an unreachable host or a missing folder comes back as the form's error and nothing is saved.
 */
export function MailboxForm({ mailbox, onSaved }: { mailbox?: MailboxView; onSaved: (created?: MailboxWithTokenView) => void }) {
  const create = useCreateMailbox();
  const update = useUpdateMailbox();
  const [formError, setFormError] = useState<string | null>(null);
  const required = (value: string, values: MailboxFormValues) => (values.useImap && !value.trim() ? t.auth.requiredField : null);
  const form = useForm<MailboxFormValues>({
    initialValues: initialValues(mailbox),
    validate: {
      address: (value) => (/^[^\s@]+@[^\s@]+$/.test(value.trim()) ? null : t.auth.requiredField),
      host: required,
      user: required,
      // A new mailbox, or one getting IMAP for the first time, needs the password; an edit may keep the stored one.
      password: (value, values) => (values.useImap && !value && !mailbox?.imap ? t.auth.requiredField : null),
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    const input = toInput(values);
    const onError = (error: unknown) => setFormError(applyApiErrors(form, error));
    if (mailbox) update.mutate({ id: mailbox.id, ...input }, { onSuccess: () => onSaved(), onError });
    else create.mutate(input, { onSuccess: (created) => onSaved(created), onError });
  });
  const useImap = form.getValues().useImap;
  return (
    <form noValidate aria-label={mailbox ? t.admin.editMailbox(mailbox.address) : t.admin.newMailbox} onSubmit={submit}>
      <Stack gap="xs">
        <TextInput label={t.admin.mailboxAddress} type="email" required {...form.getInputProps('address')} />
        <Switch label={t.admin.readByImap} {...form.getInputProps('useImap', { type: 'checkbox' })} />
        {useImap ? (
          <>
            <Group grow align="start">
              <TextInput label={t.admin.imapHost} required {...form.getInputProps('host')} />
              <NumberInput label={t.admin.imapPort} min={1} max={65_535} allowDecimal={false} required {...form.getInputProps('port')} />
            </Group>
            <Checkbox label={t.admin.imapTls} {...form.getInputProps('tls', { type: 'checkbox' })} />
            <Group grow align="start">
              <TextInput label={t.admin.imapUser} required {...form.getInputProps('user')} autoComplete="off" />
              <PasswordInput
                label={t.admin.imapPassword}
                required={!mailbox?.imap}
                description={mailbox?.imap ? t.admin.imapPasswordKeep : undefined}
                autoComplete="new-password"
                {...form.getInputProps('password')}
              />
            </Group>
            <TextInput label={t.admin.imapFolder} {...form.getInputProps('folder')} />
            <Text size="xs" c="dimmed">
              {t.admin.checkingConnection}
            </Text>
          </>
        ) : null}
        <FormError message={formError} />
        <Group justify="end">
          <Button type="submit" loading={create.isPending || update.isPending}>
            {mailbox ? t.common.save : t.admin.newMailbox}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The inbound token, shown once after create or rotate, with the URL providers post to. */
function TokenNotice({ mailbox, onClose }: { mailbox: MailboxWithTokenView; onClose: () => void }) {
  const url = `${window.location.origin}/api/v1/inbound/email/${mailbox.id}`;
  return (
    <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened onClose={onClose} title={`${t.admin.inboundToken}: ${mailbox.address}`} size="lg">
      <Stack gap="xs">
        <Alert color="yellow">{t.admin.inboundTokenOnce}</Alert>
        <Group wrap="nowrap" align="center">
          <Code aria-label={t.admin.inboundToken} style={{ overflowWrap: 'anywhere', flex: 1 }}>
            {mailbox.inboundToken}
          </Code>
          <CopyButton value={mailbox.inboundToken}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? t.admin.copied : t.admin.copy}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm">
          {t.admin.inboundUrl}: <Code style={{ overflowWrap: 'anywhere' }}>{url}</Code>
        </Text>
        <Group justify="end">
          <Button onClick={onClose}>{t.common.close}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function MailboxStatusBadge({ mailbox }: { mailbox: MailboxView }) {
  const { status } = mailbox;
  if (!mailbox.imap) return <Badge color="gray" variant="light">{t.admin.statusNoImap}</Badge>;
  if (status.failing) return <Badge color="red">{t.admin.statusFailing}</Badge>;
  if (status.lastError) return <Badge color="orange">{t.admin.statusError}</Badge>;
  if (!status.lastPollAt) return <Badge color="gray">{t.admin.statusWaiting}</Badge>;
  return <Badge color="green">{t.admin.statusOk}</Badge>;
}

function MailboxRow({ mailbox, onEdit, onToken }: { mailbox: MailboxView; onEdit: () => void; onToken: (mailbox: MailboxWithTokenView) => void }) {
  const rotate = useRotateMailboxToken();
  const remove = useDeleteMailbox();
  const [confirming, setConfirming] = useState(false);
  const { imap, status } = mailbox;
  return (
    <Table.Tr>
      <Table.Td>
        <Text fw={600} size="sm">
          {mailbox.address}
        </Text>
        <Text size="xs" c="dimmed">
          {imap ? `${imap.user} @ ${imap.host}:${imap.port} · ${imap.folder}` : t.admin.noImap}
        </Text>
        {mailbox.replyTo.used ? (
          <Tooltip label={t.admin.replyToUsedHint} multiline w={260}>
            <Badge size="xs" variant="light" color="blue" tabIndex={0}>
              {t.admin.replyToUsed}
            </Badge>
          </Tooltip>
        ) : null}
        {mailbox.replyTo.tokenFits ? null : (
          <Text size="xs" c="orange.9" maw={360}>
            {t.admin.replyTokenTooLong}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <MailboxStatusBadge mailbox={mailbox} />
        {status.lastError ? (
          <Text size="xs" c="red" style={{ overflowWrap: 'anywhere' }}>
            {status.lastError}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{status.lastPollAt ? formatDateTime(status.lastPollAt) : t.admin.never}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="xs">{t.admin.countsSummary(status.counts)}</Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Button size="xs" variant="light" onClick={onEdit} aria-label={t.admin.editMailbox(mailbox.address)}>
            {t.admin.edit}
          </Button>
          <Button size="xs" variant="light" loading={rotate.isPending} aria-label={t.admin.rotateToken(mailbox.address)} onClick={() => rotate.mutate(mailbox.id, { onSuccess: onToken, onError: fail })}>
            {t.admin.rotate}
          </Button>
          <Button size="xs" variant="subtle" color="red" aria-label={t.admin.deleteMailbox(mailbox.address)} onClick={() => setConfirming(true)}>
            {t.admin.delete}
          </Button>
        </Group>
        <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={confirming} onClose={() => setConfirming(false)} title={t.admin.deleteMailbox(mailbox.address)}>
          <Stack gap="sm">
            <Text size="sm">{t.admin.deleteMailboxConfirm(mailbox.address)}</Text>
            <Group justify="end">
              <Button variant="default" onClick={() => setConfirming(false)}>
                {t.common.cancel}
              </Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(mailbox.id, { onSuccess: () => setConfirming(false), onError: fail })}>
                {t.admin.delete}
              </Button>
            </Group>
          </Stack>
        </Modal>
      </Table.Td>
    </Table.Tr>
  );
}

/** `/admin/mailboxes`: the organization's support addresses, their IMAP health and counts (DESIGN sections 12 and 13). */
export function MailboxesPage() {
  const mailboxes = useMailboxes();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<MailboxView | null>(null);
  const [token, setToken] = useState<MailboxWithTokenView | null>(null);
  const items = mailboxes.data?.items ?? [];
  return (
    <AdminPage title={t.admin.mailboxes} loading={mailboxes.isPending} error={mailboxes.error}>
      <Text size="sm" c="dimmed">
        {t.admin.mailboxesHint}
      </Text>
      <Group>
        <Button onClick={() => setCreating(true)}>{t.admin.newMailbox}</Button>
      </Group>
      {/* Only from the first page: the reply mailbox is the oldest that fits, and the list is oldest first. */}
      {items.length > 0 && !mailboxes.data?.nextCursor && !items.some((mailbox) => mailbox.replyTo.used) ? (
        <Alert color="orange" role="alert">
          {t.admin.noReplyAddress}
        </Alert>
      ) : null}
      <AdminTable
        label={t.admin.mailboxes}
        columns={[t.admin.mailboxAddress, t.admin.status, t.admin.lastPoll, t.admin.counts, t.admin.actions]}
        minWidth={720}
        empty={items.length === 0 ? t.admin.noMailboxes : null}
      >
        {items.map((mailbox) => (
          <MailboxRow key={mailbox.id} mailbox={mailbox} onEdit={() => setEditing(mailbox)} onToken={setToken} />
        ))}
      </AdminTable>
      <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened={creating} onClose={() => setCreating(false)} title={t.admin.newMailbox} size="lg">
        <MailboxForm
          onSaved={(created) => {
            setCreating(false);
            if (created) setToken(created);
          }}
        />
      </Modal>
      {editing ? (
        <Modal closeButtonProps={{ 'aria-label': t.common.close }} opened onClose={() => setEditing(null)} title={t.admin.editMailbox(editing.address)} size="lg">
          <MailboxForm
            mailbox={editing}
            onSaved={() => {
              setEditing(null);
              notifications.show({ color: 'green', message: t.common.saved });
            }}
          />
        </Modal>
      ) : null}
      {token ? <TokenNotice mailbox={token} onClose={() => setToken(null)} /> : null}
    </AdminPage>
  );
}
