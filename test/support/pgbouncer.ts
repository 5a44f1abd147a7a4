import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { answers, freePort, waitFor } from './ports.js';

/** Debian's PgBouncer (package pgbouncer, installed by the test preparation when missing). */
export const PGBOUNCER_BINARY = process.env.PGBOUNCER_BINARY || '/usr/sbin/pgbouncer';

/** PgBouncer's version as [major, minor], e.g. [1, 18] for Debian 12's. */
export function pgBouncerVersion(): [number, number] {
  const match = /PgBouncer (\d+)\.(\d+)/.exec(spawnSync(PGBOUNCER_BINARY, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  if (!match) throw new Error(`Cannot tell the version of ${PGBOUNCER_BINARY}`);
  return [Number(match[1]), Number(match[2])];
}

/** Whether this PgBouncer knows max_prepared_statements (1.21 and later). */
function supportsPreparedStatements(): boolean {
  const [major, minor] = pgBouncerVersion();
  return major > 1 || (major === 1 && minor >= 21);
}

export interface PgBouncerOptions {
  /** The database the services use; any other database name is passed through to PostgreSQL as well. */
  databaseName: string;
  /** Where PgBouncer listens on 127.0.0.1; a free port when omitted. */
  port?: number;
  /** Server connections per database and user (PgBouncer's default_pool_size). */
  poolSize?: number;
  /** The PostgreSQL behind it; DB_HOST/DB_PORT of the environment (the shared server) when omitted. */
  upstream?: { host: string; port: number };
  /** Further [pgbouncer] settings, written as given (e.g. { server_lifetime: '60' }). */
  settings?: Record<string, string | number>;
}

export interface PgBouncerPool {
  host: string;
  port: number;
  /** The DB_* variables that send a service through this PgBouncer, with DB_PREPARED_STATEMENTS=false (see startPgBouncer). */
  env: Record<string, string>;
  /** PgBouncer's admin console (SHOW POOLS, SHOW CLIENTS...): rows of one SHOW command. */
  show(what: 'POOLS' | 'CLIENTS' | 'SERVERS' | 'STATS' | 'CONFIG'): Promise<Array<Record<string, unknown>>>;
  /** PgBouncer's log so far (for failure reports). */
  output(): string;
  /** Kills PgBouncer's process group and removes its files. */
  stop(): Promise<void>;
}

/**
 * A throwaway PgBouncer in transaction mode in front of the local PostgreSQL, as production runs
 * it (CloudNativePG's Pooler, or a PgBouncer Deployment): every transaction may land on another
 * server connection, so anything kept in a session (advisory locks, SET, LISTEN, named prepared
 * statements) breaks through it. Its ini and userlist live in a temp directory; it authenticates
 * clients with `trust` and logs in to PostgreSQL as DB_USER (with DB_PASSWORD when set). Named
 * prepared statements are unsupported on every version (1.21+ gets max_prepared_statements = 0, as
 * Debian 12's 1.18 behaves), so a suite behaves the same wherever it runs and services get
 * DB_PREPARED_STATEMENTS=false.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncerPool> {
  if (!existsSync(PGBOUNCER_BINARY)) throw new Error(`PgBouncer is not installed at ${PGBOUNCER_BINARY}: run apt-get install -y pgbouncer (npm test does it when it may)`);
  const upstreamHost = options.upstream?.host ?? (process.env.DB_HOST || '127.0.0.1');
  const upstreamPort = options.upstream?.port ?? Number(process.env.DB_PORT || 5432);
  const user = process.env.DB_USER || 'postgres';
  const password = process.env.DB_PASSWORD;
  const port = options.port ?? (await freePort());
  const directory = mkdtempSync(join(tmpdir(), 'helpdesk-pgbouncer-'));
  // PgBouncer refuses to run as root; as root it switches to the postgres user, which must read these files.
  chmodSync(directory, 0o755);
  const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const upstream = `host=${upstreamHost} port=${upstreamPort} user=${user}${password ? ` password=${quote(password)}` : ''}`;
  const settings: Record<string, string | number> = {
    listen_addr: '127.0.0.1',
    listen_port: port,
    // No Unix socket: several of these run at once and would fight over /tmp/.s.PGSQL.6432.
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: join(directory, 'userlist.txt'),
    admin_users: user,
    pool_mode: 'transaction',
    max_client_conn: 1000,
    default_pool_size: options.poolSize ?? 20,
    // node-postgres sends none of these, but other clients (psql, pg_dump) may.
    ignore_startup_parameters: 'extra_float_digits,options',
    ...(supportsPreparedStatements() ? { max_prepared_statements: 0 } : {}),
    ...options.settings,
  };
  const ini = [
    '[databases]',
    `${options.databaseName} = ${upstream} dbname=${options.databaseName}`,
    `* = ${upstream}`,
    '[pgbouncer]',
    ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
    '',
  ].join('\n');
  writeFileSync(join(directory, 'pgbouncer.ini'), ini, { mode: 0o644 });
  writeFileSync(join(directory, 'userlist.txt'), `"${user}" ""\n`, { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  // Its own process group, so stop() ends it and nothing else.
  const child: ChildProcess = spawn(PGBOUNCER_BINARY, [...(asRoot ? ['-u', 'postgres'] : []), join(directory, 'pgbouncer.ini')], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    if (running() && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  };

  try {
    await waitFor(`PgBouncer on port ${port}`, async () => {
      if (!running()) throw new Error(`PgBouncer exited: ${log}`);
      return answers(port);
    }, 10_000, 50);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    env: { DB_HOST: '127.0.0.1', DB_PORT: String(port), DB_NAME: options.databaseName, DB_USER: user, DB_PREPARED_STATEMENTS: 'false' },
    async show(what) {
      // The admin console speaks only the simple query protocol, which query() without values uses.
      const client = new pg.Client({ host: '127.0.0.1', port, user, database: 'pgbouncer' });
      await client.connect();
      try {
        return (await client.query(`SHOW ${what}`)).rows;
      } finally {
        await client.end();
      }
    },
    output: () => log,
    stop,
  };
}

/** The API the clustered topology uses: `PgBouncer.start({ databaseName })` → `{ host, port, stop() }`. */
export const PgBouncer = { start: startPgBouncer };
