import type { ClientToServerEvents, Principal, ServerToClientEvents } from '@helpdesk/contracts';
import type { DefaultEventsMap, Server, Socket } from 'socket.io';

/** What the handshake established about a connection. */
export interface SocketData {
  principal: Principal;
  expiresAt: Date;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
