import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { JetStreamConnection, MetricsService, PublicEventFanOut } from '@helpdesk/common';
import { isAccessChange, NatsUserRevocations } from './nats-user-revocations.js';
import { PublicNatsBridgeConnection } from './public-nats-bridge.connection.js';

/** Pause before looking for HELPDESK_EVENTS again, and before resuming after an interruption. */
const STREAM_RETRY_MS = 1_000;

/**
 * Runs the public event fan-out (HELPDESK_EVENTS to the public NATS server) when INTEGRATIONS_NATS_URL is
 * set, completing on the way the revocations that a user's deactivation or role change brought.
 */
@Injectable()
export class PublicEvents implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly fanOut?: PublicEventFanOut;

  constructor(
    @Inject(JetStreamConnection) internal: JetStreamConnection,
    @Inject(PublicNatsBridgeConnection) bridge: PublicNatsBridgeConnection,
    @Inject(MetricsService) metrics: MetricsService,
    @Inject(NatsUserRevocations) revocations: NatsUserRevocations,
  ) {
    if (!bridge.enabled) return;
    this.fanOut = new PublicEventFanOut({
      internal,
      publicConnection: () => bridge.nats(),
      retryMs: STREAM_RETRY_MS,
      logger: new Logger(PublicEvents.name),
      metricsRegistry: metrics.registry,
      // A deactivated or demoted creator's integrations are revoked before their organization's next events go out.
      beforeRepublish: async (event) => {
        if (isAccessChange(event)) await revocations.complete(event.orgId);
      },
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
