import pg from 'pg';
import { MIGRATIONS, ROOT } from './paths.mjs';
import { runOrFail, say } from './run.mjs';

function adminClient() {
  return new pg.Client({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USER || 'postgres',
    password: process.env.DB_PASSWORD,
    database: 'postgres',
  });
}

/** Creates the database named by DB_NAME when it does not exist yet. */
export async function ensureDatabase(name = process.env.DB_NAME || 'helpdesk') {
  const client = adminClient();
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      say(`creating database ${name}`);
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name) {
  const client = adminClient();
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Applies (up) or reverts the last migration of (down) every service that owns a schema. */
export async function migrate(direction = 'up') {
  const ordered = direction === 'up' ? MIGRATIONS : [...MIGRATIONS].reverse();
  for (const { entry } of ordered) {
    await runOrFail(process.execPath, [`${ROOT}/${entry}`, direction], { cwd: ROOT });
  }
}
