import { Alert, Box, Button, Center, Checkbox, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { t } from '../../../i18n';
import { describeError } from '../../../lib/errors';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { usePrefetchTicketOnIntent } from '../../ticket/hooks/ticket';
import { useTeams, useUserDirectory } from '../../directory/hooks/directory';
import { useTicketFields } from '../../ticket-fields/hooks/ticket-fields';
import { ViewActions } from '../../views/components/ViewActions';
import { useViews } from '../../views/hooks/views';
import { apiQueryFromFilters, DEFAULT_SORT, SORTS, viewQueryFromFilters } from '../hooks/queue-filters';
import { useQueueFilters } from '../hooks/useQueueFilters';
import { useTicketList } from '../hooks/tickets';
import { useNow } from '../hooks/useNow';
import { BulkActionBar } from './BulkActionBar';
import { QueueFilters } from './QueueFilters';
import { TicketRow } from './TicketRow';

/** `/tickets`: the agents' queue, and the customers' "My requests". */
export function QueuePage() {
  const me = useCurrentUser();
  const staff = me.user.role !== 'customer';
  const [filters, setFilters, clearFilters] = useQueueFilters();
  const query = useMemo(() => apiQueryFromFilters(filters, me.user.id), [filters, me.user.id]);
  const tickets = useTicketList(query);
  const views = useViews(staff);
  const openView = useMemo(() => (filters.view ? (views.data?.find((view) => view.id === filters.view) ?? null) : null), [filters.view, views.data]);
  // What "Save as view" saves: the filters shown, over the open view's own.
  const currentViewQuery = useCallback(() => viewQueryFromFilters(filters, openView ?? undefined), [filters, openView]);
  // The Sort control shows the open view's own order while no other is picked.
  const viewSort = openView?.sort && (SORTS as readonly string[]).includes(openView.sort) ? openView.sort : null;
  const shownFilters = useMemo(() => (viewSort && filters.sort === DEFAULT_SORT ? { ...filters, sort: viewSort } : filters), [filters, viewSort]);
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
  const filterOptions = useMemo(() => ({ assignees, teams: teamOptions, fieldFilters }), [assignees, teamOptions, fieldFilters]);

  // Ticked for a bulk action; a new filter starts a new selection.
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback(
    (id: string) =>
      setPicked((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  const pickedTickets = useMemo(() => rows.filter((ticket) => picked.has(ticket.id)), [rows, picked]);
  const allPicked = rows.length > 0 && pickedTickets.length === rows.length;
  const bulkAssignees = useMemo(() => directory.assignable.map((user) => ({ value: user.id, label: user.name })), [directory.assignable]);

  useEffect(() => {
    setSelected(0);
    setPicked(new Set());
  }, [query]);
  useHotkeys([
    ['j', () => setSelected((index) => Math.min(index + 1, rows.length - 1))],
    ['k', () => setSelected((index) => Math.max(index - 1, 0))],
    [
      'Enter',
      (event) => {
        // Enter on a focused button or link is its own (a sidebar move, a row's link): only elsewhere does it open the selected ticket.
        if (event.target instanceof Element && event.target.closest('button, a, [role="button"]')) return;
        const ticket = rows[selected];
        if (!ticket) return;
        event.preventDefault();
        void navigate(`/tickets/${ticket.id}`);
      },
      { preventDefault: false },
    ],
    ['/', () => searchRef.current?.focus()],
  ]);

  return (
    <Stack gap="sm" p={{ base: 'xs', sm: 'md' }}>
      <Group justify="space-between">
        <Title order={1} size="h3">
          {!staff ? t.queue.customerTitle : openView ? openView.name : t.queue.title}
        </Title>
        <Group gap="xs">
          {staff ? <ViewActions view={openView} current={currentViewQuery} filterOptions={filterOptions} admin={me.user.role === 'admin'} myUserId={me.user.id} /> : null}
          <Button component={Link} to="/tickets/new">
            {staff ? t.nav.newTicket : t.nav.newRequest}
          </Button>
        </Group>
      </Group>
      <QueueFilters
        filters={shownFilters}
        onChange={setFilters}
        onClear={clearFilters}
        staff={staff}
        assignees={assignees}
        teams={teamOptions}
        fieldFilters={fieldFilters}
        searchRef={searchRef}
      />
      {staff && pickedTickets.length > 0 ? (
        <BulkActionBar selected={pickedTickets} assignees={bulkAssignees} onClear={() => setPicked(new Set())} onDone={(failedIds) => setPicked(new Set(failedIds))} />
      ) : null}
      {staff && rows.length > 0 ? (
        <Checkbox
          size="xs"
          label={t.bulk.selectAll}
          checked={allPicked}
          indeterminate={pickedTickets.length > 0 && !allPicked}
          onChange={() => setPicked(allPicked ? new Set() : new Set(rows.map((ticket) => ticket.id)))}
        />
      ) : null}
      {tickets.isPending ? (
        <Center py="xl">
          <Loader role="status" aria-label={t.common.loading} />
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
              checked={picked.has(ticket.id)}
              onToggle={staff ? toggle : undefined}
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
