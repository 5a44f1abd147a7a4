import { Button, Loader, Stack, Text } from '@mantine/core';
import { t } from '../../../i18n';
import { formatDateTime } from '../../../lib/format';
import { useUserDirectory } from '../../directory/hooks/directory';
import { useHistory } from '../hooks/ticket';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A recorded value as a short readable text: times in the local format, objects (a comment's reference) as JSON. */
function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.map(show).join(', ') || '—';
  if (typeof value === 'string') return ISO_TIME.test(value) ? formatDateTime(value) : value;
  // A macro's reference names it.
  if (typeof value === 'object' && 'name' in value && typeof value.name === 'string') return value.name;
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  }
  return String(value);
}

/** The audit trail: system changes as small grey lines. */
export function HistoryTab({ ticketId }: { ticketId: string }) {
  const history = useHistory(ticketId, true);
  const { nameOf } = useUserDirectory(history.items.map((entry) => entry.actorId));
  if (history.isPending) return <Loader size="sm" aria-label={t.common.loading} />;
  if (history.items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t.ticket.historyEmpty}
      </Text>
    );
  return (
    <Stack gap={6} component="ol" p={0} style={{ listStyle: 'none' }}>
      {history.items.map((entry) => (
        <li key={entry.id}>
          <Text size="xs" c="dimmed">
            {formatDateTime(entry.createdAt)} · {entry.actorId ? nameOf(entry.actorId) : t.ticket.system} · {entry.action}
          </Text>
          {Object.entries(entry.changes).map(([field, change]) => (
            <Text key={field} size="xs" c="dimmed" pl="md">
              {t.ticket.changed(field, show(change.from), show(change.to))}
            </Text>
          ))}
        </li>
      ))}
      {history.hasNextPage ? (
        <Button size="xs" variant="subtle" onClick={() => void history.fetchNextPage()} loading={history.isFetchingNextPage}>
          {t.common.loadMore}
        </Button>
      ) : null}
    </Stack>
  );
}
