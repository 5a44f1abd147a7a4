import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATS_USERS, natsPermissions, type NatsUser } from '@helpdesk/contracts';
import { answers, freePort, waitFor } from './ports.js';

export interface TestNatsServerOptions {
  /** One NATS user per service (and the backup user) with the permissions generated from the contracts (as in k8s/nats/nats-values.yaml), plus an unrestricted test user. */
  serviceUsers?: boolean;
  /** With serviceUsers: refuse clients without credentials, rather than treat them as the unrestricted test user. */
  refuseAnonymous?: boolean;
  /** JetStream's max_file_store, in bytes. */
  maxFileStore?: number;
}

/** The unrestricted user tests (not services) connect as when the server has per-service users. */
const TEST_USER = 'test';

/** The users part of a test server's configuration: per-service users with their generated passwords, or none. */
export function natsAuthConfig(options: Pick<TestNatsServerOptions, 'serviceUsers' | 'refuseAnonymous'>): { config: Record<string, unknown>; passwords?: Map<string, string> } {
  const config: Record<string, unknown> = {};
  if (!options.serviceUsers) return { config };
  const passwords = new Map([TEST_USER, ...NATS_USERS].map((user) => [user, randomBytes(12).toString('hex')]));
  config.authorization = {
    users: [
      { user: TEST_USER, password: passwords.get(TEST_USER) },
      ...NATS_USERS.map((service) => ({ user: service, password: passwords.get(service), permissions: natsPermissions(service) })),
    ],
  };
  if (!options.refuseAnonymous) config.no_auth_user = TEST_USER;
  return { config, passwords };
}

/** The nats-server executable of this machine. */
export const NATS_SERVER_BINARY = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((path) => existsSync(path)) ?? 'nats-server';

/**
 * A real nats-server with JetStream, private to one test file: on its own free port and storage
 * directory, so tests never see each other's subjects and faults never touch the shared server.
 */
export class TestNatsServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly storeDir: string,
    private readonly passwords?: Map<string, string>,
    private readonly configFile?: string,
  ) {}

  /** The running server's process id (benchmarks meter its CPU). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The server's URL, without credentials: with per-service users, clients without any are the unrestricted test user (unless refuseAnonymous). */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The NATS_URL of one service (or the backup tool): its own user when the server has per-service users. */
  urlFor(service: NatsUser): string {
    return this.urlAs(service);
  }

  private urlAs(user: string): string {
    const password = this.passwords?.get(user);
    return password ? `nats://${user}:${password}@127.0.0.1:${this.port}` : this.url;
  }

  static async start(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
    const storeDir = mkdtempSync(join(tmpdir(), 'helpdesk-nats-'));
    const { config, passwords } = natsAuthConfig(options);
    if (options.maxFileStore) config.jetstream = { max_file_store: options.maxFileStore };
    let configFile: string | undefined;
    if (Object.keys(config).length > 0) {
      // JSON is valid nats-server configuration.
      configFile = `${storeDir}.conf`;
      writeFileSync(configFile, JSON.stringify(config, null, 2));
    }
    const server = new TestNatsServer(await freePort(), storeDir, passwords, configFile);
    try {
      await server.resume();
    } catch (error) {
      rmSync(storeDir, { recursive: true, force: true });
      if (configFile) rmSync(configFile, { force: true });
      throw error;
    }
    return server;
  }

  /** Starts (again) on the same port and storage, as after a crash or restart. */
  async resume(): Promise<void> {
    const config = this.configFile ? ['-c', this.configFile] : [];
    this.process = spawn(NATS_SERVER_BINARY, [...config, '-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    try {
      await waitFor(`nats-server on port ${this.port}`, () => answers(this.port), 10_000, 50);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
    if (this.configFile) rmSync(this.configFile, { force: true });
  }
}
