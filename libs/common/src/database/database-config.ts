import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvInt } from '../config/env-transforms.js';
import { Secret, ServiceConfig } from '../config/service-config.js';

/** Settings of services that own a PostgreSQL schema (names kept from the replaced platform). */
export class DatabaseServiceConfig extends ServiceConfig {
  @MinLength(1)
  @IsString()
  DB_NAME = 'helpdesk';

  @MinLength(1)
  @IsString()
  DB_USER = 'postgres';

  @IsOptional()
  @Secret()
  @IsString()
  DB_PASSWORD?: string;

  @MinLength(1)
  @IsString()
  DB_HOST = '127.0.0.1';

  @EnvInt()
  @Min(1)
  @Max(65_535)
  @IsInt()
  DB_PORT = 5432;

  /** Connections per replica; keep replicas x pool size under PostgreSQL's max_connections. */
  @EnvInt()
  @Min(1)
  @Max(200)
  @IsInt()
  DB_POOL_SIZE = 10;
}
