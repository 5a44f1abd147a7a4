import type { ClientToServerEvents, Principal, ServerToClientEvents } from '@helpdesk/contracts';
import type { DefaultEventsMap, Server, Socket } from 'socket.io';

/** What the handshake established about a connection, and what the server last told it. */
export interface SocketData {
  principal: Principal;
  expiresAt: Date;
  /** The last `presence` payload sent per ticket, so an unchanged view is not sent again. */
  sentPresence: Map<string, string>;
  /** A replay is being read for this socket: one at a time, since each scans the stream. */
  replaying: boolean;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
