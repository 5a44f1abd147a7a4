import { Alert, Anchor, Button, Checkbox, Code, Drawer, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { DeadLetterSummary, ReplayDeadLettersReply } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { useDeadLetter, useDeadLetters, useReplayDeadLetters } from '../hooks/admin';
import { AdminPage } from './AdminPage';

/** What a replay did: how many were queued, and how many of those asked for were no longer dead. */
function ReplayResult({ reply, requested }: { reply: ReplayDeadLettersReply; requested?: number }) {
  const skipped = requested === undefined ? 0 : requested - reply.deliveryIds.length;
  return (
    <Alert color="green" role="status">
      {t.admin.replayed(reply.deliveryIds.length)}
      {skipped > 0 ? ` ${t.admin.replayedSkipped(skipped)}` : null}
    </Alert>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="sm" c="dimmed" miw={110}>
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Group>
  );
}

/** The drawer's content: one dead letter as the API shows it (secrets already redacted by the server). */
function DeadLetterDetails({ id, onReplay, replaying }: { id: string; onReplay: (id: string) => void; replaying: boolean }) {
  const detail = useDeadLetter(id);
  if (detail.isPending) return <Loader role="status" aria-label={t.common.loading} />;
  if (detail.isError) {
    return (
      <Alert color="red" role="alert">
        {describeError(detail.error)}
      </Alert>
    );
  }
  const letter = detail.data;
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        {letter.subject}
      </Title>
      {letter.redacted ? (
        <Alert color="blue" role="note">
          {t.admin.redactedNotice}
        </Alert>
      ) : null}
      <Stack gap={4}>
        <Field label={t.admin.recipient}>{letter.recipient}</Field>
        <Field label={t.admin.mailKind}>{letter.template}</Field>
        <Field label={t.admin.attempts}>{letter.attempts}</Field>
        <Field label={t.admin.failedAt}>{formatDateTime(letter.failedAt)}</Field>
        <Field label={t.admin.planned}>{formatDateTime(letter.createdAt)}</Field>
        <Field label={t.admin.eventType}>{letter.eventType}</Field>
        <Field label={t.admin.messageId}>{letter.messageId}</Field>
        {letter.ticketId ? (
          <Field label={t.admin.ticket}>
            <Anchor component={Link} to={`/tickets/${letter.ticketId}`}>
              {t.admin.openTicket}
            </Anchor>
          </Field>
        ) : null}
      </Stack>
      <Button w="fit-content" loading={replaying} onClick={() => onReplay(letter.id)}>
        {t.admin.replayOne(letter.recipient)}
      </Button>
      <Title order={3} size="h5">
        {t.admin.errorHistory}
      </Title>
      <Stack gap={4} component="ol" m={0} p={0} style={{ listStyle: 'none' }}>
        {letter.errors.map((entry, index) => (
          <Paper component="li" key={`${entry.at}-${index}`} withBorder p="xs">
            <Text size="xs" c="dimmed">
              {t.admin.attempt(entry.attempt)} · {formatDateTime(entry.at)}
            </Text>
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {entry.error}
            </Text>
          </Paper>
        ))}
      </Stack>
      <Title order={3} size="h5">
        {t.admin.mailText}
      </Title>
      {/* Shown as text, never rendered: the HTML is the recipient's, not the console's. */}
      <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {letter.mail.text}
      </Code>
      <Title order={3} size="h5">
        {t.admin.mailHtml}
      </Title>
      <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {letter.mail.html}
      </Code>
    </Stack>
  );
}

function DeadLetterRow({
  letter,
  selected,
  onSelect,
  onView,
  onReplay,
  replaying,
}: {
  letter: DeadLetterSummary;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onView: () => void;
  onReplay: () => void;
  replaying: boolean;
}) {
  return (
    <Table.Tr>
      <Table.Td>
        <Checkbox aria-label={t.admin.selectDeadLetter(letter.recipient)} checked={selected} onChange={(event) => onSelect(event.currentTarget.checked)} />
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(letter.failedAt)}</Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {letter.template}
        </Text>
      </Table.Td>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{letter.recipient}</Table.Td>
      <Table.Td>{letter.subject}</Table.Td>
      <Table.Td>{letter.attempts}</Table.Td>
      <Table.Td>
        <Text size="sm" lineClamp={2} title={letter.lastError ?? undefined}>
          {letter.lastError ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Button size="xs" variant="subtle" onClick={onView} aria-label={t.admin.viewDeadLetter(letter.recipient)}>
            {t.admin.inspect}
          </Button>
          <Button size="xs" variant="light" loading={replaying} onClick={onReplay} aria-label={t.admin.replayOne(letter.recipient)}>
            {t.admin.replay}
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * `/admin/dead-letters`: the organization's dead mails, newest first, with a drawer to inspect one
 * (its errors and the mail, secrets redacted by the server) and replay per row, for the selection or
 * for all of them.
 */
export function DeadLettersPage() {
  const letters = useDeadLetters();
  const replay = useReplayDeadLetters();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [openId, setOpenId] = useState<string | null>(null);
  const [requested, setRequested] = useState<number | undefined>();
  const [replayingId, setReplayingId] = useState<string | null>(null);
  const items = letters.data?.pages.flatMap((page) => page.items) ?? [];
  const allSelected = items.length > 0 && items.every((letter) => selected.has(letter.id));

  const run = (deliveryIds?: string[]) => {
    setRequested(deliveryIds?.length);
    setReplayingId(deliveryIds?.length === 1 ? deliveryIds[0]! : null);
    replay.mutate(deliveryIds, {
      onSuccess: (reply) => {
        setSelected((current) => new Set([...current].filter((id) => !reply.deliveryIds.includes(id))));
        if (openId && reply.deliveryIds.includes(openId)) setOpenId(null);
      },
      onSettled: () => setReplayingId(null),
    });
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <AdminPage title={t.admin.deadLetters} loading={letters.isPending} error={letters.error}>
      <Text size="sm">{t.admin.deadLettersHint}</Text>
      <Group gap="xs">
        <Button disabled={selected.size === 0} loading={replay.isPending && replayingId === null && requested !== undefined} onClick={() => run([...selected])}>
          {t.admin.replaySelected(selected.size)}
        </Button>
        <Button variant="default" disabled={items.length === 0} loading={replay.isPending && requested === undefined} onClick={() => run(undefined)}>
          {t.admin.replayAll}
        </Button>
      </Group>
      {replay.isSuccess ? <ReplayResult reply={replay.data} requested={requested} /> : null}
      {replay.isError ? (
        <Alert color="red" role="alert">
          {describeError(replay.error)}
        </Alert>
      ) : null}
      {letters.isSuccess && items.length === 0 ? (
        <Paper withBorder p="md">
          <Text>{t.admin.noDeadLetters}</Text>
        </Paper>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>
                  <Checkbox
                    aria-label={t.admin.selectAllDeadLetters}
                    checked={allSelected}
                    indeterminate={selected.size > 0 && !allSelected}
                    onChange={(event) => setSelected(event.currentTarget.checked ? new Set(items.map((letter) => letter.id)) : new Set())}
                  />
                </Table.Th>
                <Table.Th>{t.admin.failedAt}</Table.Th>
                <Table.Th>{t.admin.mailKind}</Table.Th>
                <Table.Th>{t.admin.recipient}</Table.Th>
                <Table.Th>{t.admin.subject}</Table.Th>
                <Table.Th>{t.admin.attempts}</Table.Th>
                <Table.Th>{t.admin.lastError}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((letter) => (
                <DeadLetterRow
                  key={letter.id}
                  letter={letter}
                  selected={selected.has(letter.id)}
                  onSelect={(on) => toggle(letter.id, on)}
                  onView={() => setOpenId(letter.id)}
                  onReplay={() => run([letter.id])}
                  replaying={replayingId === letter.id}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {letters.hasNextPage ? (
        <Button variant="default" w="fit-content" loading={letters.isFetchingNextPage} onClick={() => void letters.fetchNextPage()}>
          {t.common.loadMore}
        </Button>
      ) : null}
      <Drawer opened={openId !== null} onClose={() => setOpenId(null)} position="right" size="lg" title={t.admin.deadLetterDetail} closeButtonProps={{ 'aria-label': t.common.close }}>
        {openId ? <DeadLetterDetails id={openId} onReplay={(id) => run([id])} replaying={replayingId === openId} /> : null}
      </Drawer>
    </AdminPage>
  );
}
