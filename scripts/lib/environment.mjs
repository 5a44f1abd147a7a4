import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { DATA_DIR, ROOT } from './paths.mjs';

/**
 * Reads `.env` (if present) without overriding anything already set in the environment, then
 * fills the secrets a local run needs with random values kept in `.data/`, so a fresh clone works
 * and no secret is ever committed.
 */
export function loadLocalEnvironment() {
  loadDotEnv();
  mkdirSync(DATA_DIR, { recursive: true });
  const secretsFile = `${DATA_DIR}/dev-secrets.json`;
  const secrets = existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, 'utf8')) : {};
  let changed = false;
  for (const name of ['SECRET_KEY', 'HEALTH_DETAILS_TOKEN']) {
    if (!secrets[name]) {
      secrets[name] = randomBytes(32).toString('base64url');
      changed = true;
    }
    if (!process.env[name]) process.env[name] = secrets[name];
  }
  if (changed) writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  useStoredPostgresPassword();
}

/**
 * The part of loadLocalEnvironment that writes nothing: `.env` and the stored PostgreSQL password.
 * For db:backup and db:restore, which also run in the image, whose file system is read-only.
 */
export function loadEnvironmentReadOnly() {
  loadDotEnv();
  useStoredPostgresPassword();
}

function loadDotEnv() {
  const envFile = `${ROOT}/.env`;
  if (!existsSync(envFile)) return;
  for (const [key, value] of Object.entries(parseEnv(readFileSync(envFile, 'utf8')))) {
    // Blank lines in .env (as copied from .env.example) mean "use the default", as they do for the services.
    if (value !== '' && !process.env[key]) process.env[key] = value;
  }
}

// The password the preparation gave the PostgreSQL role (postgres-login.mjs), unless one is set.
function useStoredPostgresPassword() {
  const postgresPassword = storedPostgresPassword();
  if (postgresPassword && !process.env.DB_PASSWORD) {
    process.env.DB_PASSWORD = postgresPassword;
    process.env.PGPASSWORD ??= postgresPassword;
  }
}

export const POSTGRES_PASSWORD_FILE = 'postgres-password';

/** The generated PostgreSQL password kept in `.data/`, if the preparation made one. */
export function storedPostgresPassword(dataDir = DATA_DIR) {
  const file = `${dataDir}/${POSTGRES_PASSWORD_FILE}`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
