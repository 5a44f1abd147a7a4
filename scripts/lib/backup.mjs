import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { delimiter } from 'node:path';
import { DIST_DIR } from './paths.mjs';

/** The database the services use (DB_* variables, their defaults) and the libpq environment that reaches it. */
export function databaseSettings() {
  const name = process.env.DB_NAME || 'helpdesk';
  const env = {
    PGHOST: process.env.DB_HOST || '127.0.0.1',
    PGPORT: process.env.DB_PORT || '5432',
    PGUSER: process.env.DB_USER || 'postgres',
    ...(process.env.DB_PASSWORD ? { PGPASSWORD: process.env.DB_PASSWORD } : {}),
  };
  return { name, env };
}

/** A PostgreSQL client program: from PATH, else the newest one Debian installs under /usr/lib/postgresql. */
export function postgresTool(program) {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory && existsSync(`${directory}/${program}`)) return `${directory}/${program}`;
  }
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => `/usr/lib/postgresql/${version}/bin/${program}`).find((path) => existsSync(path));
  if (!found) throw new Error(`${program} not found: install the PostgreSQL client (Debian: apt-get install postgresql-client)`);
  return found;
}

/** Runs a client program; fails with its own error output, which names the problem (never the password). */
export function runTool(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command.split('/').pop()} exited with code ${code}: ${errors.trim()}`))));
  });
}

/** SHA-256 (hex) of a file, read as a stream: a dump can be larger than one buffer holds (2 GiB). */
export async function fileSha256(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Connects to the attachment bucket's NATS at NATS_URL. The credentials in the URL are split out by
 * the services' own parser (libs/common, built into dist/), since the NATS client ignores them inside
 * server URLs; replies come to the user's own inbox (`_INBOX_<user>`), the only one a platform user may read.
 * Fails with a message naming the servers (never the password) and `otherwise` when NATS cannot be reached.
 */
export async function connectToNats(connectionName, otherwise = 'check NATS_URL and its credentials') {
  const { parseNatsUrl, natsInboxPrefix, NATS_USERS } = await builtNatsHelpers();
  const { servers, credentials } = parseNatsUrl(process.env.NATS_URL || 'nats://127.0.0.1:4222');
  const { connect } = await import('@nats-io/transport-node');
  const inboxPrefix = NATS_USERS.includes(credentials.user) ? natsInboxPrefix(credentials.user) : undefined;
  try {
    return await connect({ servers, ...credentials, name: connectionName, ...(inboxPrefix ? { inboxPrefix } : {}) });
  } catch (error) {
    throw new Error(`cannot reach NATS at ${servers.join(',')} for the attachment bucket (${error instanceof Error ? error.message : String(error)}): ${otherwise}`);
  }
}

async function builtNatsHelpers() {
  const options = `${DIST_DIR}/libs/common/src/nats/nats-options.js`;
  const contracts = `${DIST_DIR}/libs/contracts/src/index.js`;
  if (!existsSync(options) || !existsSync(contracts)) throw new Error(`${DIST_DIR} has no built libraries: run npm run build first (NATS_URL is parsed as the services parse it)`);
  // The contracts' DTOs carry decorators that need the Reflect metadata API, as in the services.
  await import('reflect-metadata');
  const [{ parseNatsUrl }, { natsInboxPrefix, NATS_USERS }] = await Promise.all([import(options), import(contracts)]);
  return { parseNatsUrl, natsInboxPrefix, NATS_USERS };
}
