import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '@helpdesk/common';
import { Counter, Gauge, Histogram } from 'prom-client';

/** What the realtime service exports on /metrics, in the service's own registry (heap and event loop come with the default process metrics). */
@Injectable()
export class RealtimeMetrics {
  readonly connectedSockets: Gauge;
  readonly eventsPushed: Counter<'type'>;
  readonly eventsReplayed: Counter;
  readonly pushLatency: Histogram<'type'>;
  readonly refusedConnections: Counter<'reason'>;
  readonly closedConnections: Counter<'reason'>;
  readonly rateLimitedMessages: Counter<'limit'>;
  private countRooms: () => number = () => 0;

  constructor(@Inject(MetricsService) metrics: MetricsService) {
    const registers = [metrics.registry];
    const rooms = () => this.countRooms();
    this.connectedSockets = new Gauge({ name: 'helpdesk_realtime_connected_sockets', help: 'Socket.IO connections open on this replica', registers });
    new Gauge({
      name: 'helpdesk_realtime_rooms',
      help: 'Rooms (organization, user, ticket) with at least one socket on this replica',
      registers,
      collect() {
        this.set(rooms());
      },
    });
    this.eventsPushed = new Counter({ name: 'helpdesk_realtime_events_pushed_total', help: 'Domain events pushed to this replica\'s sockets, by type', labelNames: ['type'], registers });
    this.eventsReplayed = new Counter({ name: 'helpdesk_realtime_events_replayed_total', help: 'Events sent again to reconnecting clients', registers });
    this.pushLatency = new Histogram({
      name: 'helpdesk_realtime_event_push_latency_seconds',
      help: 'Time from an event occurring (its occurredAt) to its push to sockets, by type',
      labelNames: ['type'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.refusedConnections = new Counter({
      name: 'helpdesk_realtime_refused_connections_total',
      help: 'Handshakes refused, by reason: unauthorized (token, or account deactivated), unavailable (account could not be checked), too_many_connections (REALTIME_MAX_CONNECTIONS_PER_USER), overloaded (heap above REALTIME_MAX_HEAP_MB)',
      labelNames: ['reason'],
      registers,
    });
    this.closedConnections = new Counter({
      name: 'helpdesk_realtime_closed_connections_total',
      help: 'Connections the server ended, by reason: idle, expired (token), revoked (renewal found the account deactivated or its role changed), rate_limited (messages far past the limit), shutdown',
      labelNames: ['reason'],
      registers,
    });
    this.rateLimitedMessages = new Counter({
      name: 'helpdesk_realtime_rate_limited_messages_total',
      help: 'Client messages answered RATE_LIMITED, by limit: messages (per socket and window) or replay (cooldown)',
      labelNames: ['limit'],
      registers,
    });
  }

  /** The gateway tells how to count its rooms, read at each scrape. */
  trackRooms(count: () => number): void {
    this.countRooms = count;
  }

  pushed(type: string, occurredAt: string): void {
    this.eventsPushed.inc({ type });
    const occurred = Date.parse(occurredAt);
    // A clock-skewed or malformed timestamp says nothing about our latency.
    if (Number.isFinite(occurred)) this.pushLatency.observe({ type }, Math.max(0, Date.now() - occurred) / 1000);
  }
}
