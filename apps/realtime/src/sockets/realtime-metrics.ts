import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '@helpdesk/common';
import { Counter, Gauge, Histogram } from 'prom-client';

/** What the realtime service exports on /metrics, in the service's own registry. */
@Injectable()
export class RealtimeMetrics {
  readonly connectedSockets: Gauge;
  readonly eventsPushed: Counter<'type'>;
  readonly pushLatency: Histogram<'type'>;

  constructor(@Inject(MetricsService) metrics: MetricsService) {
    const registers = [metrics.registry];
    this.connectedSockets = new Gauge({ name: 'helpdesk_realtime_connected_sockets', help: 'Socket.IO connections open on this replica', registers });
    this.eventsPushed = new Counter({ name: 'helpdesk_realtime_events_pushed_total', help: 'Domain events pushed to this replica\'s sockets, by type', labelNames: ['type'], registers });
    this.pushLatency = new Histogram({
      name: 'helpdesk_realtime_event_push_latency_seconds',
      help: 'Time from an event occurring (its occurredAt) to its push to sockets, by type',
      labelNames: ['type'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  pushed(type: string, occurredAt: string): void {
    this.eventsPushed.inc({ type });
    const occurred = Date.parse(occurredAt);
    // A clock-skewed or malformed timestamp says nothing about our latency.
    if (Number.isFinite(occurred)) this.pushLatency.observe({ type }, Math.max(0, Date.now() - occurred) / 1000);
  }
}
