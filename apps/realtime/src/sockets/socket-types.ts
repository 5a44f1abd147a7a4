import type { ClientToServerEvents, Principal, ServerToClientEvents } from '@helpdesk/contracts';
import type { DefaultEventsMap, Server, Socket } from 'socket.io';

/** What the handshake established about a connection (the principal with the account's current role), and what the server last told it. */
export interface SocketData {
  principal: Principal;
  expiresAt: Date;
  /** The last `presence` payload sent per ticket, so an unchanged view is not sent again. */
  sentPresence: Map<string, string>;
  /** When, on the connection clock, this socket may start its next replay: each one scans the stream. */
  replayAllowedAt: number;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
