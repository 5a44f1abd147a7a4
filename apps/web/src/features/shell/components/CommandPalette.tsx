import { Spotlight, type SpotlightActionData } from '@mantine/spotlight';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Page, TicketView } from '@helpdesk/contracts';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { t } from '../../../i18n';
import { queryKeys } from '../../../lib/query-keys';
import { useCurrentUser } from '../../auth/hooks/useMe';
import { listTickets } from '../../tickets/api/tickets';

/** Every ticket in the cached lists: the queue's infinite pages and plain pages (a requester's recent tickets on the ticket page). */
export function loadedTickets(queryClient: QueryClient): TicketView[] {
  return queryClient
    .getQueriesData<InfiniteData<Page<TicketView>> | Page<TicketView>>({ queryKey: queryKeys.tickets.lists })
    .flatMap(([, data]) => (!data ? [] : 'pages' in data ? data.pages.flatMap((page) => page.items) : data.items));
}

/** The largest ticket number the API accepts (a PostgreSQL integer). */
const MAX_TICKET_NUMBER = 2_147_483_647;

/** `#123` or `123` as a ticket number; null for anything else, or a number no ticket can have. */
export function ticketNumberIn(text: string): number | null {
  const digits = /^#?\s*(\d{1,10})$/.exec(text.trim())?.[1];
  if (!digits) return null;
  const number = Number(digits);
  return number >= 1 && number <= MAX_TICKET_NUMBER ? number : null;
}

/** Ctrl/Cmd-K: jump to a ticket by number (what is loaded at once, else GET /tickets?number=) or subject (full-text search), or go to a page. */
export function CommandPalette() {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 250);
  const number = ticketNumberIn(debounced);
  const search = useQuery({
    queryKey: queryKeys.tickets.search(debounced),
    queryFn: () => listTickets({ q: debounced, limit: 8, sort: '-updatedAt' }),
    enabled: debounced.length > 1 && !/^#?\s*\d+$/.test(debounced),
  });
  const byNumber = useQuery({
    queryKey: queryKeys.tickets.byNumber(number ?? 0),
    queryFn: () => listTickets({ number: number!, limit: 1 }),
    enabled: number !== null,
    staleTime: 30_000,
  });

  const actions = useMemo<SpotlightActionData[]>(() => {
    const open = (ticket: TicketView): SpotlightActionData => ({
      id: `ticket-${ticket.id}`,
      label: t.spotlight.openTicket(ticket.number, ticket.subject),
      onClick: () => void navigate(`/tickets/${ticket.id}`),
    });
    // What is loaded answers at once; the API finds the others (and whatever is not the caller's stays unfound).
    const numbered = number === null ? [] : [...loadedTickets(queryClient).filter((ticket) => ticket.number === number), ...(byNumber.data?.items ?? [])].slice(0, 1);
    const found = [...numbered, ...(search.data?.items ?? [])].map(open);
    const pages: SpotlightActionData[] = [
      { id: 'go-tickets', label: me.user.role === 'customer' ? t.nav.myRequests : t.nav.allTickets, onClick: () => void navigate('/tickets') },
      { id: 'go-new', label: me.user.role === 'customer' ? t.nav.newRequest : t.nav.newTicket, onClick: () => void navigate('/tickets/new') },
      { id: 'go-profile', label: t.nav.profile, onClick: () => void navigate('/settings/profile') },
      ...(me.user.role === 'admin'
        ? [
            { id: 'go-users', label: t.nav.users, onClick: () => void navigate('/admin/users') },
            { id: 'go-teams', label: t.nav.teams, onClick: () => void navigate('/admin/teams') },
            { id: 'go-sla', label: t.nav.slaPolicies, onClick: () => void navigate('/admin/sla-policies') },
            { id: 'go-ticket-fields', label: t.nav.ticketFields, onClick: () => void navigate('/admin/ticket-fields') },
            { id: 'go-org', label: t.nav.organization, onClick: () => void navigate('/admin/organization') },
            { id: 'go-mailboxes', label: t.nav.mailboxes, onClick: () => void navigate('/admin/mailboxes') },
            { id: 'go-macros', label: t.nav.macros, onClick: () => void navigate('/admin/macros') },
            { id: 'go-dead', label: t.nav.deadLetters, onClick: () => void navigate('/admin/dead-letters') },
            { id: 'go-api-tokens', label: t.nav.apiTokens, onClick: () => void navigate('/admin/api-tokens') },
            { id: 'go-nats-integrations', label: t.nav.natsIntegrations, onClick: () => void navigate('/admin/integrations/nats') },
            { id: 'go-webhooks', label: t.nav.webhooks, onClick: () => void navigate('/admin/webhooks') },
          ]
        : []),
    ];
    const searchAll: SpotlightActionData[] = debounced
      ? [{ id: 'search-all', label: t.spotlight.searchFor(debounced), onClick: () => void navigate(`/tickets?q=${encodeURIComponent(debounced)}`) }]
      : [];
    return [...found, ...searchAll, ...pages];
  }, [debounced, number, byNumber.data, search.data, queryClient, navigate, me.user.role]);

  return (
    <Spotlight
      actions={actions}
      query={query}
      onQueryChange={setQuery}
      shortcut={['mod + K']}
      nothingFound={t.spotlight.nothingFound}
      filter={(text, list) => {
        const needle = text.trim().toLowerCase().replace(/^#/, '');
        return list.filter((action) => 'id' in action && (String(action.id).startsWith('ticket-') || action.id === 'search-all' || String(action.label ?? '').toLowerCase().includes(needle)));
      }}
      searchProps={{ placeholder: t.spotlight.placeholder, 'aria-label': t.nav.search }}
      highlightQuery
    />
  );
}
