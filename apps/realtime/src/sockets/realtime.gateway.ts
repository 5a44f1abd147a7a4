import { type BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { CommandClient, CommandError } from '@helpdesk/common';
import {
  isStaff,
  PRESENCE_EVENT,
  REALTIME_PATH,
  SERVER_SHUTDOWN_EVENT,
  subjects,
  type EventEnvelope,
  type RealtimeAck,
  type ReauthenticateAck,
  type ReplayAck,
  type TicketView,
} from '@helpdesk/contracts';
import { isUUID } from 'class-validator';
import type { EventRoute } from '../events/event-routing.js';
import { PresenceService } from '../presence/presence.service.js';
import { StaffPresenceReporter } from './staff-presence-reporter.js';
import { presenceFor, type PresenceSnapshot } from '../presence/presence-view.js';
import { EventReplay } from '../replay/event-replay.service.js';
import { eventIdTime } from '../replay/event-id-time.js';
import { ConnectionManager } from './connection-manager.js';
import { RealtimeMetrics } from './realtime-metrics.js';
import { rooms } from './rooms.js';
import { SessionAuth } from './session-auth.js';
import type { RealtimeServer, RealtimeSocket } from './socket-types.js';

function ticketIdOf(request: unknown): string | undefined {
  const ticketId = (request as { ticketId?: unknown } | null | undefined)?.ticketId;
  return typeof ticketId === 'string' && isUUID(ticketId) ? ticketId : undefined;
}

function field(request: unknown, name: string): unknown {
  return typeof request === 'object' && request !== null ? (request as Record<string, unknown>)[name] : undefined;
}

/**
 * The Socket.IO endpoint: authenticates connections, keeps each socket in the rooms it may be in,
 * and pushes events and presence to the sockets of this replica only (every replica consumes every
 * event, and hears every presence change).
 */
@WebSocketGateway({ path: REALTIME_PATH, transports: ['websocket'], serveClient: false })
export class RealtimeGateway implements OnGatewayInit<RealtimeServer>, OnGatewayConnection<RealtimeSocket>, OnGatewayDisconnect<RealtimeSocket>, BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeGateway.name);
  private closing = false;
  /** Stream sequence of the last event pushed to this replica's sockets (0: none yet). */
  private pushedThrough = 0;

  @WebSocketServer()
  private readonly server!: RealtimeServer;

  constructor(
    @Inject(SessionAuth) private readonly sessions: SessionAuth,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
    @Inject(ConnectionManager) private readonly connections: ConnectionManager,
    @Inject(PresenceService) private readonly presence: PresenceService,
    @Inject(EventReplay) private readonly replay: EventReplay,
    @Inject(StaffPresenceReporter) private readonly staffPresence: StaffPresenceReporter,
  ) {}

  afterInit(server: RealtimeServer): void {
    // Cheapest first: the heap, then the token and the account (a NATS request), then the user's connections (Redis).
    server.use(this.connections.admission());
    server.use(this.sessions.handshake());
    server.use(this.connections.userCap());
    // Every room we create has a colon in its name; Socket.IO's own per-socket rooms (the socket ids) never do.
    this.metrics.trackRooms(() => [...server.of('/').adapter.rooms.keys()].filter((room) => room.includes(':')).length);
    this.presence.onChange((ticketId, snapshot) => this.sendPresence(ticketId, snapshot));
  }

  handleConnection(socket: RealtimeSocket): void {
    this.metrics.connectedSockets.inc();
    if (this.closing) return this.sendAway(socket);
    const { principal } = socket.data;
    const joined = [rooms.user(principal.userId), ...(isStaff(principal.role) ? [rooms.org(principal.orgId)] : [])];
    void socket.join(joined);
    this.connections.track(socket);
    // Staff with the console open are "online" for automatic assignment.
    this.staffPresence.connected(socket.id, principal);
  }

  handleDisconnect(socket: RealtimeSocket): void {
    this.metrics.connectedSockets.dec();
    this.connections.untrack(socket);
    this.staffPresence.disconnected(socket.id);
    void this.presence.disconnect(socket.id);
  }

  /** Joins the ticket's room if the ticket service says the caller may see the ticket; the caller then counts as viewing it. */
  @SubscribeMessage('ticket:join')
  async joinTicket(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() request: unknown): Promise<RealtimeAck> {
    const ticketId = ticketIdOf(request);
    if (!ticketId) return { ok: false, error: 'VALIDATION' };
    try {
      await this.commands.request<TicketView>(subjects.tickets.get, { principal: socket.data.principal, ticketId });
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      return { ok: false, error: error.code };
    }
    // The socket may have gone while the ticket service answered: it must not linger in presence.
    if (socket.disconnected) return { ok: false, error: 'UNAVAILABLE' };
    await socket.join(rooms.ticket(ticketId));
    await this.presence.view(socket.id, socket.data.principal, ticketId);
    return { ok: true };
  }

  @SubscribeMessage('ticket:leave')
  async leaveTicket(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() request: unknown): Promise<RealtimeAck> {
    const ticketId = ticketIdOf(request);
    if (!ticketId) return { ok: false, error: 'VALIDATION' };
    await socket.leave(rooms.ticket(ticketId));
    socket.data.sentPresence.delete(ticketId);
    await this.presence.leave(socket.id, ticketId);
    return { ok: true };
  }

  /** Typing on a ticket the socket has joined; it lapses by itself unless repeated. */
  @SubscribeMessage('ticket:typing')
  async typing(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() request: unknown): Promise<RealtimeAck> {
    const ticketId = ticketIdOf(request);
    const typing = field(request, 'typing') ?? true;
    const internal = field(request, 'internal') ?? false;
    if (!ticketId || typeof typing !== 'boolean' || typeof internal !== 'boolean') return { ok: false, error: 'VALIDATION' };
    const viewing = await this.presence.typing(socket.id, ticketId, typing, internal);
    return viewing ? { ok: true } : { ok: false, error: 'NOT_FOUND' };
  }

  /**
   * Swaps in a fresh access token of the same user, so the connection outlives the first one, once
   * the ticket service confirms the account is still active with the same role. If it is not, the
   * answer comes first, then the connection ends.
   */
  @SubscribeMessage('session:reauthenticate')
  async reauthenticate(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() request: unknown, @Ack() ack?: (reply: ReauthenticateAck) => void): Promise<void> {
    const verdict = await this.sessions.renewal(socket.data.principal, field(request, 'token'));
    if (verdict.ok) {
      this.connections.renew(socket, verdict.expiresAt);
      return ack?.({ ok: true, expiresAt: verdict.expiresAt.toISOString() });
    }
    ack?.({ ok: false, error: verdict.error });
    if (verdict.revoke) this.connections.end(socket, 'revoked');
  }

  /**
   * Sends again, in stream order, the events after the client's last one that its rooms would have
   * received live (rejoin ticket rooms first). Some may already have arrived live: drop duplicates by id.
   * At most one replay per REALTIME_REPLAY_COOLDOWN_MS per socket, as each one scans the stream.
   */
  @SubscribeMessage('events:replay')
  async replayEvents(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() request: unknown): Promise<ReplayAck> {
    const lastEventId = field(request, 'lastEventId');
    if (eventIdTime(lastEventId) === undefined) return { ok: false, error: 'VALIDATION' };
    const retryAfterMs = this.connections.replayWait(socket);
    if (retryAfterMs > 0) return { ok: false, error: 'RATE_LIMITED', retryAfterMs };
    let result: Awaited<ReturnType<EventReplay['since']>>;
    try {
      // Through what this replica pushed before the socket joined its rooms: later events reach it live.
      result = await this.replay.since(lastEventId as string, (route) => route.rooms.some((room) => socket.rooms.has(room)), this.pushedThrough);
    } catch (error) {
      this.logger.warn(`Replay failed: ${error instanceof Error ? error.message : String(error)}`);
      return { ok: false, error: 'UNAVAILABLE' };
    }
    if ('refetch' in result) return { ok: false, error: 'REFETCH', reason: result.refetch };
    for (const { event, route } of result.events) socket.emit(route.type, event);
    this.metrics.eventsReplayed.inc(result.events.length);
    return { ok: true, replayed: result.events.length };
  }

  /**
   * Pushes one event to the sockets of this replica in the route's rooms, each socket once. Local
   * only: the other replicas push the same event to their own sockets.
   */
  push(event: EventEnvelope, route: EventRoute, streamSequence: number): void {
    this.server.local.to(route.rooms).emit(route.type, event);
    this.pushedThrough = streamSequence;
  }

  /**
   * Ends this replica's connections of a user whose account changed (deactivated, or given another
   * role): they were admitted, and put in rooms, for the account as it was. Every replica does the
   * same for its own. A client may connect again; the handshake then checks the account as it is now.
   */
  endConnectionsOf(userId: string): number {
    const namespace = this.server.of('/');
    const socketIds = [...(namespace.adapter.rooms.get(rooms.user(userId)) ?? [])];
    for (const socketId of socketIds) {
      const socket = namespace.sockets.get(socketId);
      if (socket) this.connections.end(socket, 'revoked');
    }
    return socketIds.length;
  }

  /** Runs before the server closes: clients are told to reconnect, and land on another replica. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    const sockets = [...this.server.of('/').sockets.values()];
    for (const socket of sockets) this.sendAway(socket);
    this.logger.log(`Asked ${sockets.length} client(s) to reconnect elsewhere`);
  }

  /** Each socket of this replica in the ticket's room gets its role's view, unless it already has it. */
  private sendPresence(ticketId: string, snapshot: PresenceSnapshot): void {
    const namespace = this.server.of('/');
    for (const socketId of namespace.adapter.rooms.get(rooms.ticket(ticketId)) ?? []) {
      const socket = namespace.sockets.get(socketId);
      if (!socket) continue;
      const view = presenceFor(socket.data.principal.role, ticketId, snapshot);
      const serialized = JSON.stringify(view);
      if (socket.data.sentPresence.get(ticketId) === serialized) continue;
      socket.data.sentPresence.set(ticketId, serialized);
      socket.emit(PRESENCE_EVENT, view);
    }
  }

  /**
   * Closing the transport (rather than `socket.disconnect()`) leaves the client's automatic
   * reconnection on; the notice is flushed before the transport closes.
   */
  private sendAway(socket: RealtimeSocket): void {
    socket.emit(SERVER_SHUTDOWN_EVENT, { reconnect: true });
    socket.conn.close();
    this.metrics.closedConnections.inc({ reason: 'shutdown' });
  }
}
