import { QueryClientProvider } from '@tanstack/react-query';
import { renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../../app/query-client';
import { usePrefetchTicketOnIntent } from './ticket';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('prefetching a ticket on intent', () => {
  let requested: string[];

  beforeEach(() => {
    requested = [];
    // The API's answers: a ticket, or an empty page of comments.
    vi.stubGlobal('fetch', async (url: string) => {
      requested.push(url);
      const body = url.includes('/comments') ? { items: [], nextCursor: null } : { id: url.split('/').pop(), version: 1 };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    });
  });

  afterEach(() => vi.unstubAllGlobals());

  const render = () => {
    // The app's defaults (30 s staleTime), so a fresh entry is not asked again.
    const queryClient = createQueryClient();
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
    return { queryClient, ...renderHook(() => usePrefetchTicketOnIntent(100), { wrapper }) };
  };

  it('fetches the ticket and its comments only for the row the pointer rests on, once while fresh', async () => {
    const { result, queryClient } = render();
    result.current.intent('t-1');
    await pause(30);
    result.current.intent('t-2');
    await pause(250);
    expect(requested.sort()).toEqual(['/api/v1/tickets/t-2', '/api/v1/tickets/t-2/comments?limit=100']);
    expect(queryClient.getQueryData(['tickets', 'detail', 't-2'])).toEqual({ id: 't-2', version: 1 });

    result.current.intent('t-2');
    await pause(250);
    expect(requested).toHaveLength(2);
  });

  it('asks for nothing when the pointer leaves first', async () => {
    const { result } = render();
    result.current.intent('t-3');
    result.current.cancel();
    await pause(250);
    expect(requested).toEqual([]);
  });
});
