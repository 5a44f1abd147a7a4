import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, TicketView } from '@helpdesk/contracts';
import { queryKeys } from '../../../lib/query-keys';
import { applyRealtimeEvent, ticketIdOf } from './realtime';

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
});
