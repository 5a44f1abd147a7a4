import pg from 'pg';
import { randomBytes } from 'node:crypto';

const admin = () =>
  new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: 'postgres' });

/** A throwaway PostgreSQL database for one test file; `drop()` removes it even with connections open. */
export async function createTestDatabase(label: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `helpdesk_test_${label}_${randomBytes(4).toString('hex')}`;
  const client = admin();
  await client.connect();
  await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await client.end();
  return {
    name,
    async drop() {
      const cleanup = admin();
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
