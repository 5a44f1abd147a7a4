import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { postgresTool } from './backup.mjs';
import { POSTGRES_PASSWORD_FILE, storedPostgresPassword } from './environment.mjs';
import { DATA_DIR } from './paths.mjs';
import { say } from './run.mjs';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Whether a connection failed only because PostgreSQL wants a password it did not get or did not
 * accept: Debian answers TCP with scram-sha-256 while its `postgres` role has no password.
 */
export function needsPassword(error) {
  return /password must be a string/.test(String(error?.message)) || error?.code === '28P01';
}

/** The generated local password for the database role, created on first use and kept in `.data/`. */
export function generatedPassword(dataDir = DATA_DIR) {
  const stored = storedPostgresPassword(dataDir);
  if (stored) return stored;
  mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(`${dataDir}/${POSTGRES_PASSWORD_FILE}`, `${password}\n`, { mode: 0o600 });
  return password;
}

function settings() {
  return { host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres' };
}

/** Why a connection to the `postgres` database fails, or undefined when it succeeds; `overrides` replace the environment's settings. */
export async function connectionError(overrides = {}) {
  const client = new pg.Client({ ...settings(), password: process.env.DB_PASSWORD, database: 'postgres', ...overrides });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Gives the role the password through the local socket as the `postgres` system user; false when that is not possible here. */
function setRolePassword(role, password, port, socketDir) {
  const psql = (() => {
    try {
      return postgresTool('psql');
    } catch {
      return undefined;
    }
  })();
  if (!psql) return false;
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...(socketDir ? ['-h', socketDir] : []), '-p', String(port), '-d', 'postgres'];
  const asPostgres =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', psql, ...args]] : ['sudo', ['-n', '-u', 'postgres', psql, ...args]];
  const quotedRole = pg.escapeIdentifier(role);
  const literalRole = pg.escapeLiteral(role);
  const literalPassword = pg.escapeLiteral(password);
  // On stdin, so the password never shows in a process list.
  const sql = `DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = ${literalRole}) THEN ALTER ROLE ${quotedRole} WITH LOGIN PASSWORD ${literalPassword};
  ELSE CREATE ROLE ${quotedRole} WITH LOGIN SUPERUSER PASSWORD ${literalPassword};
  END IF;
END $$;\n`;
  const result = spawnSync(asPostgres[0], asPostgres[1], { input: sql, encoding: 'utf8', cwd: '/' });
  return result.status === 0;
}

function useLogin(password) {
  process.env.DB_PASSWORD = password;
  // For clients built without the DB_* settings (libpq tools, tests): node-postgres and libpq read PGPASSWORD.
  process.env.PGPASSWORD = password;
}

/**
 * Makes the database login work on a fresh Debian: when PostgreSQL wants a password that DB_PASSWORD
 * does not give, gives the role (DB_USER, default postgres) a generated password kept in
 * `.data/postgres-password`, through the local socket as the `postgres` system user, and uses it.
 * A password set by the user in .env or the environment is never replaced. `socketDir` defaults to
 * psql's own (Debian: /var/run/postgresql).
 */
export async function ensureDatabaseLogin({ dataDir = DATA_DIR, socketDir } = {}) {
  const error = await connectionError();
  if (!error) return;
  if (!needsPassword(error)) throw error;
  const { host, port, user } = settings();
  const stored = storedPostgresPassword(dataDir);
  if (process.env.DB_PASSWORD && process.env.DB_PASSWORD !== stored) {
    throw new Error(`PostgreSQL at ${host}:${port} refused the password in DB_PASSWORD for role "${user}": correct DB_PASSWORD (in .env or the environment).`);
  }
  const password = generatedPassword(dataDir);
  const command = `sudo -u postgres psql -c "ALTER ROLE ${user} WITH LOGIN PASSWORD '$(cat ${dataDir}/${POSTGRES_PASSWORD_FILE})'"`;
  if (!LOCAL_HOSTS.has(host) || !setRolePassword(user, password, port, socketDir)) {
    throw new Error(`PostgreSQL at ${host}:${port} wants a password for role "${user}" and DB_PASSWORD is not set. Run: ${command}   (or set DB_USER and DB_PASSWORD in .env), then run this again.`);
  }
  say(`gave PostgreSQL role "${user}" a generated password (kept in .data/${POSTGRES_PASSWORD_FILE})`);
  useLogin(password);
  const retry = await connectionError();
  if (retry) throw new Error(`PostgreSQL at ${host}:${port} still refuses role "${user}" with the generated password (${retry.message}). Run: ${command}`);
}
