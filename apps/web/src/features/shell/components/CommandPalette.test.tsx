import { spotlight } from '@mantine/spotlight';
import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Page, TicketView, UserView } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import { renderWithProviders } from '../../../test/render';
import { CommandPalette, loadedTickets, ticketNumberIn } from './CommandPalette';

// The palette reads the signed-in user only for their role; the session itself is not under test here.
vi.mock('../../auth/hooks/useMe', () => ({
  useCurrentUser: () => ({ user: { id: 'u-1', organizationId: 'o-1', email: 'bea@example.com', name: 'Bea Agent', role: 'agent', active: true, invitationPendingSince: null, bouncingSince: null, capacity: null, availability: 'online', availabilitySetting: 'online' } satisfies UserView }),
}));

function PathProbe() {
  return <output aria-label="current path">{useLocation().pathname}</output>;
}

const ticket = (id: string, number: number) => ({ id, number, subject: `Ticket ${number}` }) as TicketView;
const page = (items: TicketView[]): Page<TicketView> => ({ items, nextCursor: null });

describe('command palette: tickets already loaded', () => {
  it('reads the queue infinite pages and the plain page of a requester recent tickets side by side', () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData<InfiniteData<Page<TicketView>>>(queryKeys.tickets.list({ sort: '-updatedAt', limit: 50 }), {
      pages: [page([ticket('a', 1), ticket('b', 2)]), page([ticket('c', 3)])],
      pageParams: [undefined, 'cursor-2'],
    });
    queryClient.setQueryData(queryKeys.tickets.list({ requesterId: 'r-1', limit: 6, sort: '-updatedAt' }), page([ticket('d', 4)]));
    queryClient.setQueryData(queryKeys.tickets.detail('e'), ticket('e', 5));

    expect(loadedTickets(queryClient).map((loaded) => loaded.number).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('command palette: a ticket number', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads #123 and 123 as ticket numbers, and nothing else', () => {
    expect(ticketNumberIn('#123')).toBe(123);
    expect(ticketNumberIn(' 123 ')).toBe(123);
    expect(ticketNumberIn('# 7')).toBe(7);
    expect(ticketNumberIn('2147483647')).toBe(2_147_483_647);
    for (const text of ['', '#', '0', '#0', '2147483648', '12a', '-3', '1.5', 'printer 12']) expect(ticketNumberIn(text)).toBeNull();
  });

  it('opens a ticket that is not loaded by asking the API for its number', async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), 'http://console.test');
        asked.push(`${url.pathname}${url.search}`);
        const items = url.searchParams.get('number') === '4242' ? [ticket('t-4242', 4242)] : [];
        return new Response(JSON.stringify({ items, nextCursor: null }), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    renderWithProviders(
      <>
        <CommandPalette />
        <PathProbe />
      </>,
    );
    act(() => spotlight.open());
    await userEvent.type(await screen.findByRole('textbox', { name: 'Search or jump to…' }), '#4242');

    await userEvent.click(await screen.findByRole('button', { name: '#4242 Ticket 4242' }, { timeout: 3_000 }));
    expect(screen.getByLabelText('current path').textContent).toBe('/tickets/t-4242');
    expect(asked).toContain('/api/v1/tickets?number=4242&limit=1');
    expect(asked.some((request) => request.includes('q='))).toBe(false);
  });
});
