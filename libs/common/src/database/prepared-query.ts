import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs a hot statement as a named prepared statement, which PostgreSQL parses and plans once per
 * connection instead of on every call: ticket creation's two statements cost 1.09 ms of PostgreSQL
 * CPU unnamed and 0.65 ms named (docs/database.md). TypeORM's query() cannot name a statement, so
 * this uses its pg pool. The name must be unique per statement text. With DB_PREPARED_STATEMENTS
 * off (PgBouncer in transaction mode without prepared statement support) it runs unnamed.
 */
export async function preparedQuery<TRow>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<TRow[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query(namedStatements(dataSource) ? { name, text, values } : { text, values })).rows as TRow[];
}

function namedStatements(dataSource: DataSource): boolean {
  return (dataSource.options.extra as { namedStatements?: boolean } | undefined)?.namedStatements !== false;
}

/** preparedQuery on the connection of a transaction (`manager` from DataSource.transaction), so the statement takes part in it. */
export async function preparedQueryIn<TRow>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<TRow[]> {
  // TypeORM's PostgresQueryRunner holds the transaction's pg client here (not in its QueryRunner interface).
  const client = (manager.queryRunner as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  if (!client) throw new Error(`preparedQueryIn(${name}) needs the manager of a transaction`);
  return (await client.query(namedStatements(manager.connection) ? { name, text, values } : { text, values })).rows as TRow[];
}
