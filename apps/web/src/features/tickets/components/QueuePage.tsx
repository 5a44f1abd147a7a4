import { Alert, Box, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { usePrefetchTicketOnIntent } from '../../ticket/hooks/ticket';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { apiQueryFromFilters } from '../hooks/queue-filters';
import { useQueueFilters } from '../hooks/useQueueFilters';
import { useTicketList } from '../hooks/tickets';
import { useNow } from '../hooks/useNow';
import { QueueFilters } from './QueueFilters';
import { TicketRow } from './TicketRow';

/** `/tickets`: the agents' queue, and the customers' "My requests". */
export function QueuePage() {
  const me = useCurrentUser();
  const staff = me.user.role !== 'customer';
  const [filters, setFilters, clearFilters] = useQueueFilters();
  const query = useMemo(() => apiQueryFromFilters(filters, me.user.id), [filters, me.user.id]);
  const tickets = useTicketList(query);
  const teams = useTeams(staff);
  const customFields = useTicketFields(false, staff);
  const fieldFilters = useMemo(() => (customFields.data ?? []).filter((field) => field.type === 'dropdown'), [customFields.data]);
  const now = useNow();
  const navigate = useNavigate();
  const searchRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState(0);
  const rows = useMemo(() => tickets.data?.pages.flatMap((page) => page.items) ?? [], [tickets.data]);
  // Only staff rows name people (requester, assignee); a customer's rows show neither.
  const directory = useUserDirectory(staff ? rows.flatMap((ticket) => [ticket.requesterId, ticket.assigneeId]) : []);
  const prefetch = usePrefetchTicketOnIntent();
  const assignees = useMemo(
    () => directory.assignable.filter((user) => user.id !== me.user.id).map((user) => ({ value: user.id, label: user.name })),
    [directory.assignable, me.user.id],
  );
  const teamOptions = useMemo(() => (teams.data ?? []).map((team) => ({ value: team.id, label: team.name })), [teams.data]);

  useEffect(() => setSelected(0), [query]);
  useHotkeys([
    ['j', () => setSelected((index) => Math.min(index + 1, rows.length - 1))],
    ['k', () => setSelected((index) => Math.max(index - 1, 0))],
    ['Enter', () => rows[selected] && void navigate(`/tickets/${rows[selected].id}`)],
    ['/', () => searchRef.current?.focus()],
  ]);

  return (
    <Stack gap="sm" p={{ base: 'xs', sm: 'md' }}>
      <Group justify="space-between">
        <Title order={1} size="h3">
          {staff ? t.queue.title : t.queue.customerTitle}
        </Title>
        <Button component={Link} to="/tickets/new">
          {staff ? t.nav.newTicket : t.nav.newRequest}
        </Button>
      </Group>
      <QueueFilters
        filters={filters}
        onChange={setFilters}
        onClear={clearFilters}
        staff={staff}
        assignees={assignees}
        teams={teamOptions}
        fieldFilters={fieldFilters}
        searchRef={searchRef}
      />
      {tickets.isPending ? (
        <Center py="xl">
          <Loader aria-label={t.common.loading} />
        </Center>
      ) : tickets.isError ? (
        <Alert color="red" role="alert">
          {describeError(tickets.error)}{' '}
          <Button variant="subtle" size="xs" onClick={() => void tickets.refetch()}>
            {t.common.retry}
          </Button>
        </Alert>
      ) : rows.length === 0 ? (
        <Text c="dimmed" py="xl" ta="center">
          {staff ? t.queue.empty : t.queue.customerEmpty}
        </Text>
      ) : (
        <Box
          component="ul"
          aria-label={t.queue.list}
          p={0}
          m={0}
          style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
          onMouseLeave={prefetch.cancel}
        >
          {rows.map((ticket, index) => (
            <TicketRow
              key={ticket.id}
              ticket={ticket}
              index={index}
              selected={index === selected}
              staff={staff}
              now={now}
              nameOf={directory.nameOf}
              onSelect={setSelected}
              onIntent={prefetch.intent}
            />
          ))}
        </Box>
      )}
      {tickets.hasNextPage ? (
        <Center>
          <Button variant="default" loading={tickets.isFetchingNextPage} onClick={() => void tickets.fetchNextPage()}>
            {t.common.loadMore}
          </Button>
        </Center>
      ) : null}
    </Stack>
  );
}
