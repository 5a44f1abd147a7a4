import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, RealtimeEventType, ServerToClientEvents } from '@helpdesk/contracts';
import type { ApiClient } from '../../../lib/api-client';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The event names of libs/contracts' REALTIME_EVENT_TYPES, repeated because only types may be imported. */
export const DOMAIN_EVENTS = [
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'ticket.status_changed',
  'comment.created',
  'attachment.added',
  'ticket.sla.warning',
  'ticket.sla.breached',
  'ticket.satisfaction_rated',
] as const satisfies readonly RealtimeEventType[];

/**
 * Socket.IO on the same origin (`/socket.io`, WebSocket only, as the realtime service requires).
 * The handshake reads the current access token each time it (re)connects.
 */
export function connectRealtime(client: ApiClient): RealtimeSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: (callback) => callback({ token: client.getAccessToken() ?? '' }),
    reconnectionDelayMax: 10_000,
  });
}
