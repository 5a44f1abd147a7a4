import { Alert, Button, Group, List, Paper, Select, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { BulkTicketResult, TicketPriority, TicketStatus, TicketView } from '@helpdesk/contracts';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { queryKeys } from '../../../lib/query-keys';
import { bulkUpdateTickets, type BulkChanges } from '../api/tickets';
import { PRIORITIES, STATUSES } from '../hooks/queue-filters';

/** The API's limit on one bulk update. */
export const BULK_LIMIT = 100;
const UNASSIGNED = 'none';

interface Props {
  selected: readonly TicketView[];
  assignees: Array<{ value: string; label: string }>;
  onClear(): void;
  /** Called with the ids the update refused, which stay selected. */
  onDone(failedIds: string[]): void;
}

/**
 * Shown while tickets are ticked in the queue: one request changes them all, and every ticket the
 * API refused is listed with its reason (the others are changed regardless).
 */
export function BulkActionBar({ selected, assignees, onClear, onDone }: Props) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<TicketStatus | null>(null);
  const [priority, setPriority] = useState<TicketPriority | null>(null);
  const [assignee, setAssignee] = useState<string | null>(null);
  const [failures, setFailures] = useState<Array<{ label: string; message: string }>>([]);
  const changes: BulkChanges = {
    ...(status ? { status } : {}),
    ...(priority ? { priority } : {}),
    ...(assignee ? { assigneeId: assignee === UNASSIGNED ? null : assignee } : {}),
  };
  const update = useMutation({
    mutationFn: () => bulkUpdateTickets(selected.map((ticket) => ticket.id), changes),
    onSuccess: ({ results }) => {
      const label = (result: BulkTicketResult) => {
        const ticket = selected.find((candidate) => candidate.id === result.id);
        return ticket ? `#${ticket.number} ${ticket.subject}` : result.id;
      };
      const refused = results.filter((result) => result.status !== 200);
      const changed = results.length - refused.length;
      for (const result of results) if (result.ticket) queryClient.setQueryData(queryKeys.tickets.detail(result.id), result.ticket);
      void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.lists });
      if (changed > 0) notifications.show({ color: 'green', message: t.bulk.updated(changed) });
      setFailures(refused.map((result) => ({ label: label(result), message: result.message ?? String(result.status) })));
      setStatus(null);
      setPriority(null);
      setAssignee(null);
      onDone(refused.map((result) => result.id));
    },
  });
  const tooMany = selected.length > BULK_LIMIT;

  return (
    <Paper withBorder p="xs" component="section" aria-label={t.bulk.bar}>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Text size="sm" fw={600} role="status">
          {t.bulk.selected(selected.length)}
        </Text>
        <Select size="xs" label={t.bulk.status} clearable data={STATUSES.map((value) => ({ value, label: t.status[value] }))} value={status} onChange={(value) => setStatus(value as TicketStatus | null)} />
        <Select size="xs" label={t.bulk.priority} clearable data={PRIORITIES.map((value) => ({ value, label: t.priority[value] }))} value={priority} onChange={(value) => setPriority(value as TicketPriority | null)} />
        <Select size="xs" label={t.bulk.assignee} clearable searchable data={[{ value: UNASSIGNED, label: t.bulk.unassigned }, ...assignees]} value={assignee} onChange={setAssignee} />
        <Button size="xs" disabled={Object.keys(changes).length === 0 || tooMany} loading={update.isPending} onClick={() => update.mutate()}>
          {t.bulk.apply}
        </Button>
        <Button
          size="xs"
          variant="subtle"
          onClick={() => {
            setFailures([]);
            onClear();
          }}
        >
          {t.bulk.clear}
        </Button>
      </Group>
      {tooMany ? (
        <Text size="xs" c="red" mt={4}>
          {t.bulk.limit(BULK_LIMIT)}
        </Text>
      ) : null}
      {update.error ? (
        <Alert color="red" mt="xs" role="alert">
          {describeError(update.error)}
        </Alert>
      ) : null}
      {failures.length ? (
        <Alert color="orange" mt="xs" role="alert" title={t.bulk.failed(failures.length)}>
          <List size="sm">
            {failures.map((failure) => (
              <List.Item key={failure.label}>{t.bulk.failure(failure.label, failure.message)}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
    </Paper>
  );
}
