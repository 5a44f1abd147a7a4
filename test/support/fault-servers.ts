import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { answers, freePort, waitFor } from './ports.js';


async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/**
 * A private redis-server on a free port with append-only persistence (as production Redis for
 * queues must have), so a fault test can restart it without touching the machine's shared Redis.
 */
export class TestRedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  static async start(): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'helpdesk-redis-')));
    await server.resume();
    return server;
  }

  /** The directory of its Unix socket. */
  get socketDir(): string {
    return this.dataDir;
  }

  async resume(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dataDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'];
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(`redis-server on port ${this.port}`, () => answers(this.port), 10_000, 50);
  }

  /** SIGTERM: Redis finishes its append-only file and exits, as in a rolling restart. */
  async stop(): Promise<void> {
    await stopChild(this.process, 'SIGTERM');
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const PG_BIN = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find((dir) => existsSync(`${dir}/initdb`));

/**
 * A private PostgreSQL cluster (initdb in a temporary directory, its own port), so a fault test can
 * stop and start it. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
export class TestPostgresServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {}

  /** `auth` replaces the trust authentication, e.g. `['--auth-local=peer', '--auth-host=scram-sha-256']` as Debian sets it up. */
  static async start({ auth = ['--auth=trust'] }: { auth?: string[] } = {}): Promise<TestPostgresServer> {
    if (!PG_BIN) throw new Error('PostgreSQL server binaries (initdb) not found under /usr/lib/postgresql');
    const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-pg-'));
    const owner = userInfo().uid === 0 ? postgresUser() : undefined;
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    const init = spawnSync(`${PG_BIN}/initdb`, ['-D', dataDir, '-U', 'postgres', ...auth, '--no-sync', '-E', 'UTF8'], { encoding: 'utf8', ...owner });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const server = new TestPostgresServer(await freePort(), dataDir, owner);
    await server.resume();
    return server;
  }

  /** The directory of its Unix socket. */
  get socketDir(): string {
    return this.dataDir;
  }

  async resume(): Promise<void> {
    const args = ['-D', this.dataDir, '-p', String(this.port), '-k', this.dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'];
    this.process = spawn(`${PG_BIN}/postgres`, args, { stdio: 'ignore', ...this.owner });
    await waitFor(`PostgreSQL on port ${this.port}`, async () => spawnSync(`${PG_BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(this.port)]).status === 0, 20_000, 100);
  }

  /** A fast shutdown (SIGINT): open sessions are cut, as when the database fails over or restarts. */
  async stop(): Promise<void> {
    await stopChild(this.process, 'SIGINT');
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs a `postgres` user to run a private PostgreSQL');
  return { uid, gid: id('-g') };
}
