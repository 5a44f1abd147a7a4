import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { JetStreamConnection, MetricsService, PublicEventFanOut } from '@helpdesk/common';
import { PublicNatsBridgeConnection } from './public-nats-bridge.connection.js';

/** Pause before looking for HELPDESK_EVENTS again, and before resuming after an interruption. */
const STREAM_RETRY_MS = 1_000;

/** Runs the public event fan-out (HELPDESK_EVENTS to the public NATS server) when INTEGRATIONS_NATS_URL is set. */
@Injectable()
export class PublicEvents implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly fanOut?: PublicEventFanOut;

  constructor(
    @Inject(JetStreamConnection) internal: JetStreamConnection,
    @Inject(PublicNatsBridgeConnection) bridge: PublicNatsBridgeConnection,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    if (!bridge.enabled) return;
    this.fanOut = new PublicEventFanOut({
      internal,
      publicConnection: () => bridge.nats(),
      retryMs: STREAM_RETRY_MS,
      logger: new Logger(PublicEvents.name),
      metricsRegistry: metrics.registry,
    });
  }

  /** Resolves once consuming has started; at once when the public interface is off. */
  get ready(): Promise<void> {
    return this.fanOut?.ready ?? Promise.resolve();
  }

  onApplicationBootstrap(): void {
    this.fanOut?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.fanOut?.stop();
  }
}
