import { Anchor, Button, Loader, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import { Link } from 'react-router';
import { t } from '../../../i18n';
import { formatDateTime } from '../../../lib/format';
import { queryKeys } from '../../../lib/query-keys';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { listTickets } from '../../tickets/api/tickets';
import { useHistory } from '../hooks/ticket';
import { actionLabel, historyLines, type HistoryLine } from '../utils/history-lines';

/** `#<number>` as a link to that ticket, underlined (a link inside grey text needs more than its colour) (history names other tickets by number; the id comes from the list by number). */
function TicketNumberLink({ number }: { number: number }) {
  const found = useQuery({ queryKey: queryKeys.tickets.byNumber(number), queryFn: () => listTickets({ number, limit: 1 }), staleTime: 60_000 });
  const id = found.data?.items[0]?.id;
  if (!id) return <>#{number}</>;
  return (
    <Anchor component={Link} to={`/tickets/${id}`} size="xs" underline="always">
      #{number}
    </Anchor>
  );
}

function LineText({ line }: { line: HistoryLine }) {
  if (line.ticket === undefined) return <>{line.text}</>;
  const [before, ...after] = line.text.split(`#${line.ticket}`);
  return (
    <>
      {before}
      <TicketNumberLink number={line.ticket} />
      {after.map((part, index) => (
        <Fragment key={index}>{part}</Fragment>
      ))}
    </>
  );
}

/** The audit trail: system changes as small grey lines, each readable (other tickets linked). */
export function HistoryTab({ ticketId }: { ticketId: string }) {
  const history = useHistory(ticketId, true);
  const { nameOf } = useUserDirectory(history.items.map((entry) => entry.actorId));
  const teams = useTeams();
  const fields = useTicketFields(true);
  const naming = {
    nameOf,
    teamName: (id: string) => teams.data?.find((team) => team.id === id)?.name ?? id,
    fieldLabel: (key: string) => fields.data?.find((field) => field.key === key)?.label ?? key,
  };
  if (history.isPending) return <Loader role="status" size="sm" aria-label={t.common.loading} />;
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
            {formatDateTime(entry.createdAt)} · {entry.actorId ? nameOf(entry.actorId) : t.ticket.system}
            {entry.apiToken ? ` (${t.apiTokens.viaToken(entry.apiToken.name)})` : ''}
            {entry.integration ? ` (${t.natsIntegrations.viaIntegration(entry.integration.name)})` : ''} · {actionLabel(entry.action)}
          </Text>
          {historyLines(entry, naming).map((line) => (
            <Text key={line.key} size="xs" c="dimmed" pl="md">
              <LineText line={line} />
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
