import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, deleteRedisKeys, freePort, migrateBuilt, ROOT, SERVICE_SPECS, ServiceProcess, STACK_SECRET_KEY, TestNatsServer, waitFor } from '../../test/support/index.js';

export type ServiceName = 'gateway' | 'ticket' | 'notification' | 'realtime' | 'ai-proxy';

/**
 * The built services as real processes in production mode, on a private nats-server, database and
 * Redis key prefix, so a benchmark never touches anyone's data and cleans up after itself.
 */
export class BenchStack {
  readonly services = new Map<ServiceName, ServiceProcess>();

  private constructor(
    readonly nats: TestNatsServer,
    readonly database: { name: string; drop(): Promise<void> },
    readonly env: Record<string, string>,
  ) {}

  static async start(label: string, names: ServiceName[], extraEnv: Record<string, string> = {}): Promise<BenchStack> {
    const nats = await TestNatsServer.start({ serviceUsers: true });
    const database = await createTestDatabase(`bench_${label}`);
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      NATS_URL: nats.url,
      DB_NAME: database.name,
      SECRET_KEY: STACK_SECRET_KEY,
      ALLOWED_HOSTS: '127.0.0.1,localhost',
      QUEUE_PREFIX: `bench-${label}-${randomBytes(4).toString('hex')}`,
      RATE_LIMIT_ANON_PER_HOUR: '100000000',
      RATE_LIMIT_AUTH_PER_HOUR: '100000000',
      SIGNUP_ENABLED: 'true',
      ORG_MAIL_PER_HOUR: '100000000',
      ...extraEnv,
    };
    const stack = new BenchStack(nats, database, env);
    try {
      migrateBuilt(['ticket', 'notification'], env);
      // For counting round trips: every statement the services send goes to PostgreSQL's log.
      if (process.env.BENCH_LOG_STATEMENTS) {
        const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'postgres', database: database.name });
        await client.connect();
        await client.query(`ALTER DATABASE ${pg.escapeIdentifier(database.name)} SET log_statement = 'all'`);
        await client.end();
      }
      for (const name of names) await stack.startService(name);
      return stack;
    } catch (error) {
      // A stack that could not start leaves no servers, database or services behind.
      await stack.stop().catch(() => undefined);
      throw error;
    }
  }

  async startService(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await this.spawnService(name, extraEnv);
    await service.waitUntilReady(60_000);
    return service;
  }

  /** Starts a service without waiting for it to be ready. */
  async spawnService(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const profile = process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
    const service = await ServiceProcess.start(SERVICE_SPECS.find((spec) => spec.name === name)!, { ...this.env, NATS_URL: this.nats.urlFor(name), ...extraEnv }, profile);
    this.services.set(name, service);
    return service;
  }

  /** A connected client of the stack's database, for the suite to read or load directly. */
  async connectDatabase(): Promise<pg.Client> {
    const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', user: process.env.DB_USER || 'postgres', database: this.database.name });
    await client.connect();
    return client;
  }

  url(name: ServiceName): string {
    return this.services.get(name)!.url;
  }

  /** Where the service's metrics are scraped: its internal metrics port. */
  metricsUrl(name: ServiceName): string {
    return this.services.get(name)!.metricsUrl;
  }

  async signup(): Promise<{ token: string; userId: string; orgId: string; email: string }> {
    const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
    const response = await fetch(`${this.url('gateway')}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Bench Org', name: 'Bench Admin', email, password: 'correct horse battery staple' }),
    });
    const body = (await response.json()) as any;
    if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${JSON.stringify(body)}`);
    // As if the admin had followed the verification link: an unverified organization mails only its staff.
    const database = await this.connectDatabase();
    await database.query('UPDATE helpdesk.organizations SET email_verified_at = now() WHERE id = $1', [body.organization.id]);
    await database.end();
    return { token: body.accessToken, userId: body.user.id, orgId: body.organization.id, email };
  }

  /** A fresh access token for a user signed up by signup(): a suite that outlasts the token's lifetime signs in again. */
  async login(email: string): Promise<string> {
    const response = await fetch(`${this.url('gateway')}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple' }),
    });
    const body = (await response.json()) as any;
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(body)}`);
    return body.accessToken;
  }

  async stop(): Promise<void> {
    // A CPU profile is written at a normal exit only.
    const stopping = process.env.BENCH_CPU_PROFILE_DIR
      ? [...this.services.values()].map(async (service) => {
          service.signal('SIGTERM');
          await service.exited(30_000);
        })
      : [...this.services.values()].map((service) => service.kill());
    await Promise.all(stopping);
    await this.nats.destroy();
    // To read a suite's data afterwards (EXPLAIN a slow query), BENCH_KEEP_DATABASE=1 leaves the database.
    if (process.env.BENCH_KEEP_DATABASE === '1') console.log(`  kept database ${this.database.name}`);
    else await this.database.drop();
    await deleteRedisKeys(this.env.QUEUE_PREFIX!);
  }
}

/** A TypeScript program of bench/ as a child process (through tsx), ready once it sends 'ready'. */
export async function startScript(path: string, env: Record<string, string>): Promise<{ port: number; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}/${path}`], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let ready = false;
  child.once('message', () => (ready = true));
  await waitFor(`${path} to start`, async () => ready, 30_000, 50);
  return {
    port,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
