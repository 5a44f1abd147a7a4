import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvInt } from '../config/env-transforms.js';
import { Secret, ServiceConfig } from '../config/service-config.js';

/** Settings of services that own a PostgreSQL schema (names kept from the replaced platform). */
export class DatabaseServiceConfig extends ServiceConfig {
  @IsString()
  @MinLength(1)
  DB_NAME = 'helpdesk';

  @IsString()
  @MinLength(1)
  DB_USER = 'postgres';

  @IsOptional()
  @Secret()
  @IsString()
  DB_PASSWORD?: string;

  @IsString()
  @MinLength(1)
  DB_HOST = '127.0.0.1';

  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(65_535)
  DB_PORT = 5432;

  /** Connections per replica; keep replicas x pool size under PostgreSQL's max_connections. */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;
}
