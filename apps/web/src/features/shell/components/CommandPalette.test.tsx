import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Page, TicketView } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import { loadedTickets } from './CommandPalette';

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
