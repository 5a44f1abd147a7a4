import { type BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { AccessTokens, CommandClient, CommandError } from '@helpdesk/common';
import {
  isStaff,
  REALTIME_PATH,
  SERVER_SHUTDOWN_EVENT,
  SESSION_EXPIRED_EVENT,
  subjects,
  type EventEnvelope,
  type RealtimeAck,
  type TicketView,
} from '@helpdesk/contracts';
import { isUUID } from 'class-validator';
import type { EventRoute } from '../events/event-routing.js';
import { authenticateHandshake } from './handshake-auth.js';
import { RealtimeMetrics } from './realtime-metrics.js';
import { rooms } from './rooms.js';
import type { RealtimeServer, RealtimeSocket } from './socket-types.js';

/** setTimeout holds at most 2^31-1 ms; an access token never lives that long, but a misconfigured TTL might. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function ticketIdOf(request: unknown): string | undefined {
  const ticketId = (request as { ticketId?: unknown } | null | undefined)?.ticketId;
  return typeof ticketId === 'string' && isUUID(ticketId) ? ticketId : undefined;
}

/**
 * The Socket.IO endpoint: authenticates connections, keeps each socket in the rooms it may be in,
 * and pushes events to the sockets of this replica only (every replica consumes every event).
 */
@WebSocketGateway({ path: REALTIME_PATH, transports: ['websocket'], serveClient: false })
export class RealtimeGateway implements OnGatewayInit<RealtimeServer>, OnGatewayConnection<RealtimeSocket>, OnGatewayDisconnect<RealtimeSocket>, BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private closing = false;

  @WebSocketServer()
  private readonly server!: RealtimeServer;

  constructor(
    @Inject(AccessTokens) private readonly tokens: AccessTokens,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(RealtimeMetrics) private readonly metrics: RealtimeMetrics,
  ) {}

  afterInit(server: RealtimeServer): void {
    server.use(authenticateHandshake(this.tokens));
  }

  handleConnection(socket: RealtimeSocket): void {
    this.metrics.connectedSockets.inc();
    if (this.closing) return this.sendAway(socket);
    const { principal, expiresAt } = socket.data;
    const joined = [rooms.user(principal.userId), ...(isStaff(principal.role) ? [rooms.org(principal.orgId)] : [])];
    void socket.join(joined);
    const expiry = setTimeout(() => {
      socket.emit(SESSION_EXPIRED_EVENT);
      socket.disconnect(true);
    }, Math.min(Math.max(0, expiresAt.getTime() - Date.now()), MAX_TIMER_MS));
    this.expiryTimers.set(socket.id, expiry);
  }

  handleDisconnect(socket: RealtimeSocket): void {
    this.metrics.connectedSockets.dec();
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
  }

  /** Joins the ticket's room if the ticket service says the caller may see the ticket. */
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
    await socket.join(rooms.ticket(ticketId));
    return { ok: true };
  }

  @SubscribeMessage('ticket:leave')
  async leaveTicket(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() request: unknown): Promise<RealtimeAck> {
    const ticketId = ticketIdOf(request);
    if (!ticketId) return { ok: false, error: 'VALIDATION' };
    await socket.leave(rooms.ticket(ticketId));
    return { ok: true };
  }

  /**
   * Pushes one event to the sockets of this replica in the route's rooms, each socket once. Local
   * only: the other replicas push the same event to their own sockets.
   */
  push(event: EventEnvelope, route: EventRoute): void {
    this.server.local.to(route.rooms).emit(route.type, event);
  }

  /** Runs before the server closes: clients are told to reconnect, and land on another replica. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    const sockets = [...this.server.of('/').sockets.values()];
    for (const socket of sockets) this.sendAway(socket);
    this.logger.log(`Asked ${sockets.length} client(s) to reconnect elsewhere`);
  }

  /**
   * Closing the transport (rather than `socket.disconnect()`) leaves the client's automatic
   * reconnection on; the notice is flushed before the transport closes.
   */
  private sendAway(socket: RealtimeSocket): void {
    socket.emit(SERVER_SHUTDOWN_EVENT, { reconnect: true });
    socket.conn.close();
  }
}
