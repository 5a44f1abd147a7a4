import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { HealthDetailsGuard } from './health-details.guard.js';
import { LifecycleHealthIndicator } from './lifecycle.health.js';
import { DETAIL_INDICATORS, READINESS_INDICATORS, type HealthIndicator } from './readiness-indicator.js';

export interface HealthModuleOptions {
  /** Dependencies that must answer for this service to take traffic. */
  readiness: Type<HealthIndicator>[];
  /** Extra checks shown only in /health/details (for example downstream services). */
  details?: Type<HealthIndicator>[];
}

/** /health, /health/live, /health/ready and the protected /health/details, on every service. */
@Module({})
export class HealthModule {
  static forRoot({ readiness, details = [] }: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        LifecycleHealthIndicator,
        HealthDetailsGuard,
        ...readiness,
        ...details,
        { provide: READINESS_INDICATORS, useFactory: (...indicators: HealthIndicator[]) => indicators, inject: readiness },
        { provide: DETAIL_INDICATORS, useFactory: (...indicators: HealthIndicator[]) => indicators, inject: details },
      ],
    };
  }
}
