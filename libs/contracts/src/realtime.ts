import type { ErrorCode } from './errors.js';
import type { EventEnvelope, EventType } from './events.js';
import type { Role } from './principal.js';

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
  'ticket.satisfaction_rated',
] as const satisfies readonly EventType[];
export type RealtimeEventType = (typeof REALTIME_EVENT_TYPES)[number];

/** Sent before a replica closes a connection on shutdown: the client reconnects and lands on another replica. */
export const SERVER_SHUTDOWN_EVENT = 'server:shutdown';
/** Sent when the access token expires without a `session:reauthenticate`, just before the server ends the connection. */
export const SESSION_EXPIRED_EVENT = 'session:expired';
/** Sent when the client has sent nothing for the idle timeout, just before the server ends the connection. */
export const SESSION_IDLE_EVENT = 'session:idle';
/**
 * Sent when a renewal found the account deactivated or its role changed, just before the server ends
 * the connection: connect again with a fresh token (refused with UNAUTHORIZED if the account is gone).
 */
export const SESSION_REVOKED_EVENT = 'session:revoked';
/** Sent when the client kept sending far past its message rate limit, just before the server ends the connection. */
export const SESSION_RATE_LIMITED_EVENT = 'session:rate-limited';
/** Who is viewing and typing on a ticket, sent to the sockets in its room whenever that changes. */
export const PRESENCE_EVENT = 'presence';

/**
 * The `data.code` of a refused handshake's `connect_error`. TOO_MANY_CONNECTIONS: the user already
 * has REALTIME_MAX_CONNECTIONS_PER_USER connections open, on any replica.
 */
export type RealtimeRefusalCode = 'UNAUTHORIZED' | 'UNAVAILABLE' | 'TOO_MANY_CONNECTIONS';

export interface TicketRoomRequest {
  ticketId: string;
}

export interface TypingRequest {
  ticketId: string;
  /** false: stopped typing (otherwise it lapses by itself a few seconds after the last `ticket:typing`). */
  typing?: boolean;
  /** Staff writing an internal note: shown to staff only. Ignored for customers. */
  internal?: boolean;
}

export interface ReauthenticateRequest {
  /** A fresh access token of the same user, organization and role. */
  token: string;
}

export interface ReplayRequest {
  /** The id of the last event envelope the client received. */
  lastEventId: string;
}

/** A message refused by a rate limit (the socket's messages per window, or the replay cooldown): send it again after `retryAfterMs`. */
export interface RateLimitedAck {
  ok: false;
  error: 'RATE_LIMITED';
  retryAfterMs: number;
}

/** The acknowledgement of a client event: `NOT_FOUND` when the ticket does not exist or is not the caller's to see. */
export type RealtimeAck = { ok: true } | RateLimitedAck | { ok: false; error: ErrorCode };

export type ReauthenticateAck = { ok: true; expiresAt: string } | RateLimitedAck | { ok: false; error: ErrorCode };

/**
 * `REFETCH`: the replica cannot replay what was missed (the id is not in the stream, or too many
 * events followed it); the client reloads its data through the REST API instead.
 */
export type ReplayAck =
  | { ok: true; replayed: number }
  | { ok: false; error: 'REFETCH'; reason: 'UNKNOWN_EVENT' | 'GAP_TOO_LARGE' }
  | RateLimitedAck
  | { ok: false; error: ErrorCode };

export interface PresenceUser {
  userId: string;
  role: Role;
}

export interface TypingUser extends PresenceUser {
  /** Writing an internal note. */
  internal: boolean;
}

/**
 * The `presence` payload. Staff see every viewer and typist (staff and customers, one entry per
 * user however many tabs); a customer only learns whether an agent is writing a public reply.
 */
export type TicketPresence =
  | { ticketId: string; scope: 'staff'; viewers: PresenceUser[]; typing: TypingUser[] }
  | { ticketId: string; scope: 'customer'; agentTyping: boolean };

export type ServerToClientEvents = {
  [Type in RealtimeEventType]: (event: EventEnvelope) => void;
} & {
  [SERVER_SHUTDOWN_EVENT]: (notice: { reconnect: true }) => void;
  [SESSION_EXPIRED_EVENT]: () => void;
  [SESSION_IDLE_EVENT]: () => void;
  [SESSION_REVOKED_EVENT]: () => void;
  [SESSION_RATE_LIMITED_EVENT]: () => void;
  [PRESENCE_EVENT]: (presence: TicketPresence) => void;
};

export interface ClientToServerEvents {
  'ticket:join': (request: TicketRoomRequest, ack: (reply: RealtimeAck) => void) => void;
  'ticket:leave': (request: TicketRoomRequest, ack: (reply: RealtimeAck) => void) => void;
  'ticket:typing': (request: TypingRequest, ack: (reply: RealtimeAck) => void) => void;
  'session:reauthenticate': (request: ReauthenticateRequest, ack: (reply: ReauthenticateAck) => void) => void;
  'events:replay': (request: ReplayRequest, ack: (reply: ReplayAck) => void) => void;
}
