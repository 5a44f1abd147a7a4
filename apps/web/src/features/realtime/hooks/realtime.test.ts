import { QueryClient } from '@tanstack/react-query';
import { renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope, TicketView } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import { applyRealtimeEvent, LIST_REFRESH_MS, ticketIdOf, useListRefresh } from './realtime';

const envelope = (type: EventEnvelope['type'], aggregateId: string, data: Record<string, unknown>): EventEnvelope => ({
  id: `e-${Math.random()}`,
  type,
  version: 1,
  occurredAt: '2026-01-01T00:00:00Z',
  orgId: 'o-1',
  aggregateId,
  actor: { userId: 'u-1', role: 'agent' },
  data,
});

function seeded() {
  const queryClient = new QueryClient();
  queryClient.setQueryData(queryKeys.tickets.detail('t-1'), { id: 't-1', status: 'open', version: 3, subject: 'Old' } as TicketView);
  queryClient.setQueryData(queryKeys.tickets.list({ sort: '-updatedAt' }), { pages: [], pageParams: [] });
  queryClient.setQueryData(queryKeys.tickets.comments('t-1'), { pages: [], pageParams: [] });
  return queryClient;
}

const isStale = (queryClient: QueryClient, key: readonly unknown[]) => queryClient.getQueryState(key)?.isInvalidated ?? false;

describe('socket events and the query cache', () => {
  it('finds the ticket of an event, whatever its shape', () => {
    expect(ticketIdOf(envelope('ticket.updated', 't-1', {}))).toBe('t-1');
    expect(ticketIdOf(envelope('comment.created', 'c-1', { ticket: { id: 't-2' } }))).toBe('t-2');
    expect(ticketIdOf(envelope('attachment.added', 'a-1', { ticketId: 't-3' }))).toBe('t-3');
    expect(ticketIdOf(envelope('comment.created', 'c-1', {}))).toBeUndefined();
  });

  it('patches the cached ticket with a newer version and refetches the lists', () => {
    const queryClient = seeded();
    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', status: 'pending', version: 4 } }));
    expect(queryClient.getQueryData<TicketView>(queryKeys.tickets.detail('t-1'))).toMatchObject({ status: 'pending', version: 4, subject: 'Old' });
    expect(isStale(queryClient, queryKeys.tickets.list({ sort: '-updatedAt' }))).toBe(true);
    expect(isStale(queryClient, queryKeys.tickets.comments('t-1'))).toBe(false);
    expect(queryClient.getQueryData(queryKeys.tickets.lastChangedBy('t-1'))).toBe('u-1');
  });

  it('never lets an older event overwrite a newer ticket', () => {
    const queryClient = seeded();
    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', status: 'new', version: 2 } }));
    expect(queryClient.getQueryData<TicketView>(queryKeys.tickets.detail('t-1'))).toMatchObject({ status: 'open', version: 3 });
  });

  it('refetches the thread on a new comment, leaving other tickets alone', () => {
    const queryClient = seeded();
    queryClient.setQueryData(queryKeys.tickets.comments('t-9'), { pages: [], pageParams: [] });
    applyRealtimeEvent(queryClient, envelope('comment.created', 'c-1', { comment: { id: 'c-1' }, ticket: { id: 't-1' } }));
    expect(isStale(queryClient, queryKeys.tickets.comments('t-1'))).toBe(true);
    expect(isStale(queryClient, queryKeys.tickets.comments('t-9'))).toBe(false);
  });

  it('refetches who is copied when a ticket.updated says the participants changed, and only then', () => {
    const queryClient = seeded();
    queryClient.setQueryData(queryKeys.tickets.participants('t-1'), []);
    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', version: 3 }, changes: { status: { from: 'new', to: 'open' } } }));
    expect(isStale(queryClient, queryKeys.tickets.participants('t-1'))).toBe(false);

    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', version: 3 }, changes: { participants: { from: null, to: 'dana@example.com' } } }));
    expect(isStale(queryClient, queryKeys.tickets.participants('t-1'))).toBe(true);
    expect(isStale(queryClient, queryKeys.tickets.comments('t-1'))).toBe(false);
  });

  it('patches the custom field values a staff-only ticket.updated carries in changes.fields', () => {
    const queryClient = seeded();
    queryClient.setQueryData<TicketView>(queryKeys.tickets.detail('t-1'), (current) => ({ ...current!, fields: { area: 'billing', vip: true } }));
    const changes = { fields: { area: { from: 'billing', to: 'shipping' }, vip: { from: true, to: null }, seats: { from: null, to: 4 } } };
    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', status: 'open', version: 4 }, changes }));
    expect(queryClient.getQueryData<TicketView>(queryKeys.tickets.detail('t-1'))).toMatchObject({ version: 4, fields: { area: 'shipping', seats: 4 } });
    expect(queryClient.getQueryData<TicketView>(queryKeys.tickets.detail('t-1'))!.fields).not.toHaveProperty('vip');
  });

  it('refetches the links when they change, and the conversation, files and people too when another ticket was merged into this one', () => {
    const queryClient = seeded();
    for (const key of [queryKeys.tickets.links('t-1'), queryKeys.tickets.participants('t-1'), queryKeys.tickets.attachments('t-1')]) queryClient.setQueryData(key, []);
    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', version: 3 }, changes: { links: { from: null, to: { kind: 'child', ticket: 4 } } } }));
    expect(isStale(queryClient, queryKeys.tickets.links('t-1'))).toBe(true);
    expect(isStale(queryClient, queryKeys.tickets.comments('t-1'))).toBe(false);

    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', version: 4 }, changes: { mergedFrom: { from: null, to: 5 } } }));
    for (const key of [queryKeys.tickets.comments('t-1'), queryKeys.tickets.attachments('t-1'), queryKeys.tickets.participants('t-1')]) expect(isStale(queryClient, key)).toBe(true);
  });

  it('refetches who follows when a ticket.updated says the followers changed, and only then', () => {
    const queryClient = seeded();
    queryClient.setQueryData(queryKeys.tickets.followers('t-1'), []);
    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', version: 3 }, changes: { participants: { from: null, to: 'dana@example.com' } } }));
    expect(isStale(queryClient, queryKeys.tickets.followers('t-1'))).toBe(false);

    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', { ticket: { id: 't-1', version: 3 }, changes: { followers: { from: null, to: 'Ann Agent' } } }));
    expect(isStale(queryClient, queryKeys.tickets.followers('t-1'))).toBe(true);
  });
});

describe('the ticket lists under a burst of events', () => {
  afterEach(() => vi.useRealTimers());

  it('refetches the lists once at the first event and once after the burst, not once per event', async () => {
    vi.useFakeTimers();
    const queryClient = seeded();
    const listKey = queryKeys.tickets.list({ sort: '-updatedAt' });
    const invalidations = vi.spyOn(queryClient, 'invalidateQueries');
    const listRefetches = () => invalidations.mock.calls.filter(([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(queryKeys.tickets.lists)).length;
    const { result } = renderHook(() => useListRefresh(queryClient));

    for (let index = 0; index < 50; index += 1) applyRealtimeEvent(queryClient, envelope('ticket.created', `t-${index}`, {}), result.current);
    expect(listRefetches()).toBe(1);
    expect(isStale(queryClient, listKey)).toBe(true);

    await vi.advanceTimersByTimeAsync(LIST_REFRESH_MS);
    // The burst's last events are not lost: one more refetch at the window's end.
    expect(listRefetches()).toBe(2);
    await vi.advanceTimersByTimeAsync(LIST_REFRESH_MS * 3);
    expect(listRefetches()).toBe(2);

    // After a quiet spell the next event refreshes at once again.
    applyRealtimeEvent(queryClient, envelope('ticket.updated', 't-1', {}), result.current);
    expect(listRefetches()).toBe(3);
  });
  it("refreshes the views' counts with the lists, in the same coalesced refetch", async () => {
    vi.useFakeTimers();
    const queryClient = seeded();
    queryClient.setQueryData(queryKeys.views.list, { items: [], nextCursor: null });
    const invalidations = vi.spyOn(queryClient, 'invalidateQueries');
    const viewRefetches = () => invalidations.mock.calls.filter(([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(queryKeys.views.all)).length;
    const { result } = renderHook(() => useListRefresh(queryClient));

    for (let index = 0; index < 50; index += 1) applyRealtimeEvent(queryClient, envelope('ticket.updated', `t-${index}`, {}), result.current);
    expect(viewRefetches()).toBe(1);
    expect(isStale(queryClient, queryKeys.views.list)).toBe(true);
    await vi.advanceTimersByTimeAsync(LIST_REFRESH_MS);
    expect(viewRefetches()).toBe(2);
  });
});
