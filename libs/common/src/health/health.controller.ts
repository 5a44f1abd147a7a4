import { Controller, Get, Header, HttpStatus, Inject, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LifecycleHealthIndicator } from './lifecycle.health.js';
import { HealthDetailsGuard } from './health-details.guard.js';
import { DETAIL_INDICATORS, READINESS_INDICATORS, type HealthIndicator } from './readiness-indicator.js';
import { Public } from '../auth/public.decorator.js';
import { SERVICE_IDENTITY, type ServiceIdentity } from '../service-identity.js';

const eventLoopDelay = monitorEventLoopDelay({ resolution: 20 });
eventLoopDelay.enable();

// Probes are the orchestrator's, not part of the API integrators build on: kept out of the OpenAPI document.
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly healthCheck: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(LifecycleHealthIndicator) private readonly lifecycle: LifecycleHealthIndicator,
    @Inject(READINESS_INDICATORS) private readonly readiness: HealthIndicator[],
    @Inject(DETAIL_INDICATORS) private readonly details: HealthIndicator[],
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

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
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.run(reply, [() => this.lifecycle.check(), ...this.readiness.map((indicator) => () => indicator.check())]);
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
