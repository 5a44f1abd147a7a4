import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers, freePort, waitFor } from './ports.js';

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
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestNatsServer> {
    const server = new TestNatsServer(await freePort(), mkdtempSync(join(tmpdir(), 'helpdesk-nats-')));
    try {
      await server.resume();
    } catch (error) {
      rmSync(server.storeDir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  /** Starts (again) on the same port and storage, as after a crash or restart. */
  async resume(): Promise<void> {
    this.process = spawn(NATS_SERVER_BINARY, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
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
  }
}
