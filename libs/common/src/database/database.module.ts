import { type DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { ServiceConfig } from '../config/service-config.js';
import { DEPENDENCY_CHECK_TIMEOUT_MS, type HealthIndicator } from '../health/readiness-indicator.js';
import { DatabaseServiceConfig } from './database-config.js';

/** Connection settings shared by the running service and its migration command. */
export function postgresOptions(config: DatabaseServiceConfig, schema: string, applicationName: string): DataSourceOptions {
  return {
    type: 'postgres',
    host: config.DB_HOST,
    port: config.DB_PORT,
    username: config.DB_USER,
    password: config.DB_PASSWORD,
    database: config.DB_NAME,
    schema,
    applicationName,
    synchronize: false,
    migrationsRun: false,
    // namedStatements is ours, read by preparedQuery(); pg ignores keys it does not know.
    extra: { max: config.DB_POOL_SIZE, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000, namedStatements: config.DB_PREPARED_STATEMENTS },
  };
}

export interface DatabaseModuleOptions {
  /** The PostgreSQL schema this service owns. */
  schema: string;
  applicationName: string;
}

/** TypeORM on the service's own schema. Schema changes come only from migrations, never `synchronize`. */
@Module({})
export class DatabaseModule {
  static forRoot({ schema, applicationName }: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) => ({
            ...postgresOptions(config as DatabaseServiceConfig, schema, applicationName),
            autoLoadEntities: true,
            retryAttempts: 10,
            retryDelay: 2_000,
          }),
        }),
      ],
    };
  }
}

@Injectable()
export class DatabaseHealthIndicator implements HealthIndicator {
  constructor(@Inject(TypeOrmHealthIndicator) private readonly typeOrm: TypeOrmHealthIndicator) {}

  check() {
    return this.typeOrm.pingCheck('database').withTimeout(DEPENDENCY_CHECK_TIMEOUT_MS);
  }
}
