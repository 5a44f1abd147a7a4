import type { ErrorCode } from './errors.js';
import type { EventEnvelope, EventType } from './events.js';

/** Socket.IO path of the realtime service; only the WebSocket transport is accepted (no sticky sessions needed). */
export const REALTIME_PATH = '/socket.io';

/** Domain events pushed to clients, under their own type as the Socket.IO event name, with the envelope as payload. */
export const REALTIME_EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'ticket.status_changed',
  'comment.created',
  'attachment.added',
  'ticket.sla.warning',
  'ticket.sla.breached',
] as const satisfies readonly EventType[];
export type RealtimeEventType = (typeof REALTIME_EVENT_TYPES)[number];

/** Sent before a replica closes a connection on shutdown: the client reconnects and lands on another replica. */
export const SERVER_SHUTDOWN_EVENT = 'server:shutdown';
/** Sent when the access token of the handshake expires, just before the server ends the connection. */
export const SESSION_EXPIRED_EVENT = 'session:expired';

export interface TicketRoomRequest {
  ticketId: string;
}

/** The acknowledgement of a client event: `NOT_FOUND` when the ticket does not exist or is not the caller's to see. */
export type RealtimeAck = { ok: true } | { ok: false; error: ErrorCode };

export type ServerToClientEvents = {
  [Type in RealtimeEventType]: (event: EventEnvelope) => void;
} & {
  [SERVER_SHUTDOWN_EVENT]: (notice: { reconnect: true }) => void;
  [SESSION_EXPIRED_EVENT]: () => void;
};

export interface ClientToServerEvents {
  'ticket:join': (request: TicketRoomRequest, ack: (reply: RealtimeAck) => void) => void;
  'ticket:leave': (request: TicketRoomRequest, ack: (reply: RealtimeAck) => void) => void;
}
