import { IsBoolean, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvBoolean, EnvInt } from '../config/env-transforms.js';
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

  /**
   * Hot statements as named prepared statements (parsed once per connection). Turn off behind
   * PgBouncer in transaction mode older than 1.21 or without max_prepared_statements: there a
   * statement prepared on one server connection is missing on the next (docs/database.md).
   */
  @EnvBoolean()
  @IsBoolean()
  DB_PREPARED_STATEMENTS = true;
}
