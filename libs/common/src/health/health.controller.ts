import { Controller, Get, Header, HttpStatus, Inject, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Gauge } from 'prom-client';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LifecycleHealthIndicator } from './lifecycle.health.js';
import { HealthDetailsGuard } from './health-details.guard.js';
import { DETAIL_INDICATORS, READINESS_INDICATORS, type HealthIndicator } from './readiness-indicator.js';
import { Public } from '../auth/public.decorator.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SERVICE_IDENTITY, type ServiceIdentity } from '../service-identity.js';

const eventLoopDelay = monitorEventLoopDelay({ resolution: 20 });
eventLoopDelay.enable();

// Probes are the orchestrator's, not part of the API integrators build on: kept out of the OpenAPI document.
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  /** The last readiness answer, for the HelpdeskServiceNotReady alert: kubelet's probes keep it current. */
  private readonly readyGauge: Gauge;

  constructor(
    @Inject(HealthCheckService) private readonly healthCheck: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(LifecycleHealthIndicator) private readonly lifecycle: LifecycleHealthIndicator,
    @Inject(READINESS_INDICATORS) private readonly readiness: HealthIndicator[],
    @Inject(DETAIL_INDICATORS) private readonly details: HealthIndicator[],
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.readyGauge = new Gauge({ name: 'helpdesk_service_ready', help: 'Whether the last readiness probe of this replica passed (1) or not (0; also before the first probe)', registers: [metrics.registry] });
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  basic() {
    return { status: 'ok', service: this.identity.service, version: this.identity.version };
  }

  /** The process answers and its event loop turns; never a dependency, so an outage elsewhere does not restart pods. */
  @Get('live')
  @Header('Cache-Control', 'no-store')
  live(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.run(reply, [
      async () =>
        this.health.check('process').up({
          uptimeSeconds: Math.round(process.uptime()),
          eventLoopDelayP99Ms: Math.round(eventLoopDelay.percentile(99) / 1e6),
        }),
    ]);
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.run(reply, [() => this.lifecycle.check(), ...this.readiness.map((indicator) => () => indicator.check())]);
    this.readyGauge.set(result.status === 'ok' ? 1 : 0);
    return result;
  }

  @Get('details')
  @Header('Cache-Control', 'no-store')
  @UseGuards(HealthDetailsGuard)
  fullDetails(@Res({ passthrough: true }) reply: FastifyReply) {
    const memory = process.memoryUsage();
    return this.run(reply, [
      () => this.lifecycle.check(),
      ...this.readiness.map((indicator) => () => indicator.check()),
      ...this.details.map((indicator) => () => indicator.check()),
      async () =>
        this.health.check('process').up({
          service: this.identity.service,
          instanceId: this.identity.instanceId,
          version: this.identity.version,
          node: process.version,
          uptimeSeconds: Math.round(process.uptime()),
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          eventLoopDelayP99Ms: Math.round(eventLoopDelay.percentile(99) / 1e6),
        }),
    ]);
  }

  /** Answers 503 with the full check result (which dependency failed, and why) instead of a bare error. */
  private async run(reply: FastifyReply, checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.healthCheck.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
