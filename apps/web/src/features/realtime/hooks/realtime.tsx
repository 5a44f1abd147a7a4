import { useThrottledCallback } from '@mantine/hooks';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { EventEnvelope, TicketView } from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { queryKeys } from '../../../lib/query-keys';
import { connectRealtime, DOMAIN_EVENTS, type RealtimeSocket } from '../api/socket';

interface RealtimeState {
  socket: RealtimeSocket | null;
  connected: boolean;
  /** The connection dropped after having been up: shown as "reconnecting". */
  reconnecting: boolean;
}

const RealtimeContext = createContext<RealtimeState>({ socket: null, connected: false, reconnecting: false });

/** The ticket id an event is about: its aggregate for ticket events, `data.ticketId` or `data.ticket.id` for the others. */
export function ticketIdOf(event: EventEnvelope): string | undefined {
  const data = event.data as { ticketId?: unknown; ticket?: { id?: unknown } };
  if (typeof data.ticketId === 'string') return data.ticketId;
  if (typeof data.ticket?.id === 'string') return data.ticket.id;
  return event.type.startsWith('ticket.') ? event.aggregateId : undefined;
}

/**
 * However many events arrive, the ticket lists shown are refetched at most once per this window: the
 * first event of a quiet spell at once, the rest of a burst once at its end. Staff receive every
 * event of their organization, so a refetch per event would cost each busy desk a list read per
 * event per agent on screen (docs/capacity.md).
 */
export const LIST_REFRESH_MS = 5_000;

/** The ticket lists, and the views' counts, which move with the same ticket changes (one coalesced refresh for both). */
const refetchListsNow = (queryClient: QueryClient) => {
  void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.lists });
  void queryClient.invalidateQueries({ queryKey: queryKeys.views.all });
};

/** The lists' refetch, coalesced to one per LIST_REFRESH_MS (leading and trailing). */
export function useListRefresh(queryClient: QueryClient): () => void {
  return useThrottledCallback(() => refetchListsNow(queryClient), LIST_REFRESH_MS);
}

/**
 * Socket events keep the TanStack Query cache current: a ticket carried in the event patches its
 * detail entry, the ticket's sub-resources are invalidated (refetched if shown), and the lists are
 * refreshed through `refreshLists` (coalesced by the provider).
 */
export function applyRealtimeEvent(queryClient: QueryClient, event: EventEnvelope, refreshLists: () => void = () => refetchListsNow(queryClient)): void {
  const ticketId = ticketIdOf(event);
  const carried = (event.data as { ticket?: Partial<TicketView> }).ticket;
  if (ticketId && carried && typeof carried.version === 'number') {
    queryClient.setQueryData<TicketView>(queryKeys.tickets.detail(ticketId), (current) =>
      current && current.version < (carried.version ?? 0) ? { ...current, ...carried } : current,
    );
  }
  // Custom field values never ride in `ticket` (customers get ticket events too): staff get their changes apart.
  const fieldChanges = (event.data as { changes?: { fields?: Record<string, { to: unknown }> } }).changes?.fields;
  if (ticketId && fieldChanges) {
    queryClient.setQueryData<TicketView>(queryKeys.tickets.detail(ticketId), (current) => {
      if (!current) return current;
      const fields = { ...current.fields };
      for (const [key, { to }] of Object.entries(fieldChanges)) {
        if (to === null || to === undefined) delete fields[key];
        else fields[key] = to as NonNullable<TicketView['fields']>[string];
      }
      return { ...current, fields };
    });
  }
  refreshLists();
  if (!ticketId) return;
  if (event.type.startsWith('ticket.') && 'userId' in event.actor) queryClient.setQueryData(queryKeys.tickets.lastChangedBy(ticketId), event.actor.userId);
  if (event.type === 'comment.created') {
    void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.comments(ticketId) });
    // A comment moves the ticket on too (status, response times, version); a stale version makes the next save a 409.
    void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.detail(ticketId), exact: true });
  } else if (event.type === 'attachment.added') void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.attachments(ticketId) });
  else {
    // Exact: the thread and attachments (keys below the ticket's) did not change.
    void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.detail(ticketId), exact: true });
    void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.history(ticketId) });
    // Who is copied changes through ticket.updated (changes.participants).
    const changes = (event.data as { changes?: object }).changes ?? {};
    if ('participants' in changes) void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.participants(ticketId) });
    if ('links' in changes || 'mergedInto' in changes || 'mergedFrom' in changes) void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.links(ticketId) });
    // A merge moved the other ticket's conversation, files and people onto this one.
    if ('mergedFrom' in changes) {
      for (const key of [queryKeys.tickets.comments(ticketId), queryKeys.tickets.attachments(ticketId), queryKeys.tickets.participants(ticketId)]) void queryClient.invalidateQueries({ queryKey: key });
    }
    // Who follows it too (changes.followers).
    if ('followers' in changes) void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.followers(ticketId) });
  }
}

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<RealtimeState>({ socket: null, connected: false, reconnecting: false });
  // Read through a ref: the socket's listeners are bound once per connection, not per render.
  const listRefresh = useListRefresh(queryClient);
  const refreshLists = useRef(listRefresh);
  refreshLists.current = listRefresh;

  useEffect(() => {
    const socket = connectRealtime(api);
    let wasConnected = false;
    setState({ socket, connected: false, reconnecting: false });
    socket.on('connect', () => {
      // Events may have been missed while disconnected: refetch what is shown.
      if (wasConnected) void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.all });
      wasConnected = true;
      setState({ socket, connected: true, reconnecting: false });
    });
    socket.on('disconnect', () => setState({ socket, connected: false, reconnecting: wasConnected }));
    socket.on('connect_error', () => setState({ socket, connected: false, reconnecting: wasConnected }));
    for (const type of DOMAIN_EVENTS) socket.on(type, (event) => applyRealtimeEvent(queryClient, event, () => refreshLists.current()));
    // The server ends the connection when the token expires or the session changes: refresh, then reconnect.
    const reconnectFresh = () => void api.refresh().then((ok) => ok && socket.connect());
    socket.on('session:expired', reconnectFresh);
    socket.on('session:revoked', reconnectFresh);
    socket.on('session:idle', () => socket.connect());
    socket.on('server:shutdown', () => {
      socket.disconnect();
      socket.connect();
    });
    // A renewed access token is handed to the open connection so it is not cut at expiry.
    const stopTokenWatch = api.onTokenChange(() => {
      const token = api.getAccessToken();
      if (token && socket.connected) socket.emit('session:reauthenticate', { token }, () => undefined);
    });
    return () => {
      stopTokenWatch();
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [queryClient]);

  return <RealtimeContext.Provider value={state}>{children}</RealtimeContext.Provider>;
}

export const useRealtime = () => useContext(RealtimeContext);
