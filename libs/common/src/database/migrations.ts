import { DataSource, type MigrationInterface } from 'typeorm';
import { loadConfig } from '../config/load-config.js';
import type { DatabaseServiceConfig } from './database-config.js';
import { postgresOptions } from './database.module.js';

export type MigrationDirection = 'up' | 'down';

export interface MigrationRun {
  config: DatabaseServiceConfig;
  schema: string;
  migrations: Array<new () => MigrationInterface>;
  direction: MigrationDirection;
  log?: (line: string) => void;
}

/**
 * Applies (or reverts the last of) a service's migrations, each in its own transaction. The schema
 * is created first because TypeORM keeps its migrations table inside it.
 */
export async function runMigrations({ config, schema, migrations, direction, log = () => undefined }: MigrationRun): Promise<string[]> {
  const dataSource = new DataSource({
    ...postgresOptions(config, schema, `${schema}-migrations`),
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
  });
  await dataSource.initialize();
  try {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    if (direction === 'up') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) log(`applied ${schema}.${migration.name}`);
      return applied.map((migration) => migration.name);
    }
    const [{ present }] = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS present', [`"${schema}".migrations`])) as Array<{ present: boolean }>;
    if (!present) return [];
    const before = await dataSource.query(`SELECT name FROM "${schema}"."migrations" ORDER BY id DESC LIMIT 1`);
    await dataSource.undoLastMigration({ transaction: 'each' });
    const reverted = (before as Array<{ name: string }>).map((row) => row.name);
    for (const name of reverted) log(`reverted ${schema}.${name}`);
    return reverted;
  } finally {
    await dataSource.destroy();
  }
}

/** Entry point of a service's `migrate` command: `node .../migrate.js [up|down]`. */
export async function runMigrationCommand(options: Omit<MigrationRun, 'config' | 'direction'> & { configClass: new () => DatabaseServiceConfig }): Promise<void> {
  const direction = (process.argv[2] ?? 'up') as MigrationDirection;
  if (direction !== 'up' && direction !== 'down') {
    process.stderr.write(`Unknown direction "${String(direction)}": use up or down\n`);
    process.exit(2);
  }
  try {
    const config = loadConfig(options.configClass);
    const names = await runMigrations({ ...options, config, direction, log: (line) => process.stdout.write(`${line}\n`) });
    if (names.length === 0) process.stdout.write(`${options.schema}: ${direction === 'up' ? 'up to date' : 'nothing to revert'}\n`);
  } catch (error) {
    process.stderr.write(`${options.schema} migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
