import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { ServiceConfig } from '../config/service-config.js';
import { DEPENDENCY_CHECK_TIMEOUT_MS, type HealthIndicator } from '../health/readiness-indicator.js';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The service's one shared Redis connection; it reconnects by itself after a Redis restart. Commands
 * issued while others are on the wire go out together in one write (auto-pipelining): on this kind of
 * machine a socket write costs more than the command it carries (docs/benchmarks.md).
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      useFactory: (config: ServiceConfig) => {
        const logger = new Logger('Redis');
        const redis = new Redis(config.REDIS_URL, { connectionName: 'helpdesk', maxRetriesPerRequest: 3, enableAutoPipelining: true });
        let lastError = '';
        redis.on('error', (error: Error) => {
          // ioredis repeats the same error on every reconnection attempt: log each new one once.
          if (error.message !== lastError) logger.error(`Redis error: ${error.message}`);
          lastError = error.message;
        });
        redis.on('ready', () => {
          if (lastError) logger.log('Redis connection restored');
          lastError = '';
        });
        return redis;
      },
      inject: [ServiceConfig],
    },
    RedisConnectionCloser,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}

@Injectable()
export class RedisHealthIndicator implements HealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  check() {
    return this.health
      .check('redis')
      .attempt(async () => {
        if (this.redis.status !== 'ready') throw new Error(`connection is ${this.redis.status}`);
        await this.redis.ping();
      })
      .withTimeout(DEPENDENCY_CHECK_TIMEOUT_MS);
  }
}
