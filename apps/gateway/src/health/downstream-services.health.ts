import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SERVICE_NAMES, subjects, type PingReply } from '@helpdesk/contracts';
import { CommandClient, CommandError, DEPENDENCY_CHECK_TIMEOUT_MS, type HealthIndicator } from '@helpdesk/common';

const DOWNSTREAM_SERVICES = SERVICE_NAMES.filter((service) => service !== 'gateway');

/** Pings every service the gateway talks to over NATS; shown in /health/details, never in readiness. */
@Injectable()
export class DownstreamServicesHealthIndicator implements HealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(CommandClient) private readonly commands: CommandClient,
  ) {}

  async check() {
    const results = await Promise.all(
      DOWNSTREAM_SERVICES.map(async (service) => {
        const started = performance.now();
        try {
          const reply = await this.commands.request<PingReply>(subjects.ping(service), {}, { timeoutMs: DEPENDENCY_CHECK_TIMEOUT_MS });
          return [service, { status: 'up', instanceId: reply.instanceId, version: reply.version, latencyMs: Math.round(performance.now() - started) }] as const;
        } catch (error) {
          return [service, { status: 'down', error: error instanceof CommandError ? error.code : 'INTERNAL' }] as const;
        }
      }),
    );
    const services = Object.fromEntries(results);
    const session = this.health.check('services');
    return results.every(([, result]) => result.status === 'up') ? session.up(services) : session.down(services);
  }
}
