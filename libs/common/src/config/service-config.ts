import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { EnvBoolean, EnvInt } from './env-transforms.js';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Marks a property whose value must never be printed (in errors, logs or /health/details). */
export const SECRET_PROPERTIES = Symbol('secretProperties');
export function Secret(): PropertyDecorator {
  return (target, property) => {
    const holder = target as { [SECRET_PROPERTIES]?: Set<string | symbol> };
    const inherited = holder[SECRET_PROPERTIES];
    holder[SECRET_PROPERTIES] = new Set([...(inherited ?? []), property]);
  };
}

/** Settings every service shares; each service extends this class with its own. */
export class ServiceConfig {
  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: NodeEnvironment = 'development';

  @EnvBoolean()
  @IsBoolean()
  DEBUG = false;

  /** Interface the HTTP port and the metrics port bind to. */
  @IsString()
  HOST = '0.0.0.0';

  /** Internal port serving only GET /metrics (never the public port). Unset: the service's port + 1000; 0: any free port. */
  @IsOptional()
  @EnvInt()
  @Min(0)
  @Max(65_535)
  @IsInt()
  METRICS_PORT?: number;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** When set, logs are also written to rotating files here: 15 MB x 10, plus a separate error file. */
  @IsOptional()
  @IsString()
  LOG_DIR?: string;

  /** May carry the service's NATS credentials (`nats://user:password@host:4222`), hence secret. */
  @Secret()
  @Matches(/^(nats|tls|wss?):\/\/[^\s,]+(,(nats|tls|wss?):\/\/[^\s,]+)*$/, {
    message: 'NATS_URL must be one or more comma-separated nats:// URLs',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  @EnvInt()
  @Min(100)
  @Max(120_000)
  @IsInt()
  NATS_REQUEST_TIMEOUT_MS = 5_000;

  /** Redis: rate-limit counters, Bull queues, presence and caches, depending on the service. */
  @Secret()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379/0';

  /** Namespace of this deployment's queue keys in Redis, so several deployments (or test runs) can share one Redis. */
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'QUEUE_PREFIX must be 1-64 letters, digits, ":", "_" or "-"' })
  QUEUE_PREFIX = 'helpdesk';

  /** Time allowed, after SIGTERM, for in-flight work to finish before the process exits anyway. */
  @EnvInt()
  @Min(0)
  @Max(600_000)
  @IsInt()
  SHUTDOWN_GRACE_PERIOD_MS = 10_000;

  /**
   * OpenTelemetry tracing is on when an OTLP/HTTP endpoint is set (`http://collector:4318`; traces go
   * to its /v1/traces); the exporter also reads the other standard OTEL_* variables itself. Unset:
   * no SDK is loaded and nothing is traced.
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The traces endpoint itself (full URL, used as given), instead of OTEL_EXPORTER_OTLP_ENDPOINT. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http:// or https:// URL' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** The standard switch that keeps tracing off even with an endpoint set. */
  @EnvBoolean()
  @IsBoolean()
  OTEL_SDK_DISABLED = false;

  /** Shared secret that lets monitoring read /health/details; without it the endpoint is closed. */
  @IsOptional()
  @Secret()
  @MinLength(16)
  @IsString()
  HEALTH_DETAILS_TOKEN?: string;
}
