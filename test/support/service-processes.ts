import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './ports.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceSpec {
  name: string;
  entry: string;
  portVariable: string;
}

export const SERVICE_SPECS: ServiceSpec[] = [
  { name: 'gateway', entry: 'dist/apps/gateway/src/main.js', portVariable: 'GATEWAY_PORT' },
  { name: 'ticket', entry: 'dist/apps/ticket/src/main.js', portVariable: 'TICKET_PORT' },
  { name: 'notification', entry: 'dist/apps/notification/src/main.js', portVariable: 'NOTIFICATION_PORT' },
  { name: 'realtime', entry: 'dist/apps/realtime/src/main.js', portVariable: 'REALTIME_PORT' },
  { name: 'ai-proxy', entry: 'dist/apps/ai-proxy/src/main.js', portVariable: 'AI_PROXY_PORT' },
];

/** Applies the built migrations of these services' schemas, in order; throws with the migration's output when one fails. */
export function migrateBuilt(schemas: Array<'ticket' | 'notification'>, env: Record<string, string>): void {
  for (const schema of schemas) {
    const migration = spawnSync(process.execPath, [`${ROOT}/dist/apps/${schema}/src/database/migrate.js`, 'up'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    if (migration.status !== 0) throw new Error(`${schema} migration failed: ${migration.stderr}`);
  }
}

/** One built service running as a real process on a free port, with its output kept for failure reports. */
export class ServiceProcess {
  output = '';
  private exit?: Promise<number | null>;
  private closed: Promise<void>;

  private constructor(
    readonly spec: ServiceSpec,
    readonly port: number,
    /** The internal port serving /metrics (the public port does not). */
    readonly metricsPort: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // 'close' comes after 'exit', once the output is all read.
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.metricsPort}/metrics`;
  }

  /** Scrapes the metrics port. */
  async metrics(): Promise<string> {
    const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) throw new Error(`${this.spec.name} metrics answered ${response.status}`);
    return response.text();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** `nodeFlags` go before the entry (the benchmarks' --cpu-prof, which NODE_OPTIONS does not allow). */
  static async start(spec: ServiceSpec, env: Record<string, string>, nodeFlags: string[] = []): Promise<ServiceProcess> {
    const entry = `${ROOT}/${spec.entry}`;
    if (!existsSync(entry)) throw new Error(`${spec.entry} is not built: run npm test (or npm run build) first`);
    // A port given in env is kept: mails link to the gateway's address, which must be known before it starts.
    const port = env[spec.portVariable] ? Number(env[spec.portVariable]) : await freePort();
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [...nodeFlags, entry], {
      cwd: ROOT,
      // The inbound SMTP listener only where a test asks for it: 2525 is one port for every stack running at once.
      env: { ...process.env, INBOUND_SMTP_PORT: '0', ...env, [spec.portVariable]: String(port), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(spec, port, metricsPort, child);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.url}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  }

  /** Resolves when /health/ready answers 200; rejects with the output on timeout, or at once if the process exits. */
  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    try {
      await waitFor(`${this.spec.name} to be ready`, async () => !this.running || (await this.get('/health/ready')).status === 200, timeoutMs, 200);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.output}`);
    }
    if (this.running) return;
    await this.closed;
    throw new Error(`${this.spec.name} exited with ${this.child.exitCode ?? this.child.signalCode} before it was ready\n${this.output}`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the exit code, or rejects if the process has not exited within `timeoutMs`. */
  async exited(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.spec.name} still running ${timeoutMs} ms later\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exit!, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }
}
