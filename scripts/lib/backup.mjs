import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { delimiter } from 'node:path';

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
