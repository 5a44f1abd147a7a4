import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { SmtpSink, type ReceivedMail } from '../../apps/notification/src/testing/smtp-sink.js';
import { createTestDatabase } from './database.js';
import { TestNatsServer } from './nats-server.js';
import { freePort, waitFor } from './ports.js';
import { deleteRedisKeys } from './redis-cleanup.js';
import { SERVICE_SPECS, ServiceProcess } from './service-processes.js';
import type { ServiceName } from '@helpdesk/contracts';

export const CONSOLE_ADMIN_PASSWORD = 'console-admin-pass-2026';

/**
 * All five services as real processes, as `npm start` runs them: the gateway serving the console and
 * proxying /socket.io to realtime, mail to an SMTP sink, the ai-proxy offline. Each service has its
 * own NATS user; the stack has its own database and Redis key prefix. For the browser tests.
 */
export class ConsoleStack {
  private constructor(
    readonly url: string,
    readonly sink: SmtpSink,
    readonly services: Map<ServiceName, ServiceProcess>,
    private readonly cleanup: () => Promise<void>,
    /** The stack's own database, for tests that must place data in the past (reports). */
    readonly databaseName: string,
  ) {}

  /** One SQL statement on the stack's database, for setting up what the API cannot (times in the past). */
  async sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: this.databaseName });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  }

  static async start(label: string, env: Record<string, string> = {}): Promise<ConsoleStack> {
    const queuePrefix = `${label}-${randomBytes(4).toString('hex')}`;
    const nats = await TestNatsServer.start({ serviceUsers: true });
    const services = new Map<ServiceName, ServiceProcess>();
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    let sink: SmtpSink | undefined;
    const cleanup = async () => {
      await Promise.allSettled([...services.values()].map((service) => service.kill()));
      await Promise.allSettled([nats.destroy(), database?.drop(), sink?.stop(), deleteRedisKeys(queuePrefix)]);
    };
    try {
      database = await createTestDatabase(label, { migrated: true });
      sink = await SmtpSink.start();
      const gatewayPort = await freePort();
      const url = `http://127.0.0.1:${gatewayPort}`;
      const common = {
        NODE_ENV: 'production',
        LOG_LEVEL: 'error',
        DB_NAME: database.name,
        SECRET_KEY: randomBytes(24).toString('hex'),
        ALLOWED_HOSTS: '127.0.0.1,localhost',
        QUEUE_PREFIX: queuePrefix,
        EMAIL_HOST: '127.0.0.1',
        EMAIL_PORT: String(sink.port),
        DEFAULT_FROM_EMAIL: 'Console Desk <support@console.example.test>',
        APP_BASE_URL: url,
        SIGNUP_ENABLED: 'true',
        RATE_LIMIT_ANON_PER_HOUR: '100000',
        RATE_LIMIT_AUTH_PER_HOUR: '100000',
        RATE_LIMIT_PASSWORD_RESET_PER_HOUR: '1000',
        ...env,
      };
      const start = async (name: ServiceName, extra: Record<string, string> = {}) => {
        const spec = SERVICE_SPECS.find((candidate) => candidate.name === name)!;
        const service = await ServiceProcess.start(spec, { ...common, NATS_URL: nats.urlFor(name), ...extra });
        services.set(name, service);
        return service;
      };
      await start('ticket');
      const realtime = await start('realtime');
      await Promise.all([start('notification'), start('ai-proxy')]);
      await start('gateway', { GATEWAY_PORT: String(gatewayPort), REALTIME_PROXY_URL: realtime.url });
      // Five Node processes starting at once on two shared cores: 30 s is not always enough for the first.
      await Promise.all([...services.values()].map((service) => service.waitUntilReady(90_000)));
      return new ConsoleStack(url, sink, services, cleanup, database.name);
    } catch (error) {
      // A failed start must not leave processes running after the test file ends (nothing would stop them).
      await cleanup();
      throw error;
    }
  }

  /** A JSON call to the public API, as a client would make it. */
  async api<T = any>(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** The newest mail to this address whose subject matches, waiting for it to arrive. */
  async mailTo(address: string, subject: RegExp): Promise<ReceivedMail> {
    return waitFor(`a mail to ${address} matching ${subject}`, async () => this.sink.mailsTo(address).findLast((mail) => subject.test(mail.subject)), 20_000);
  }

  /** The first console link (APP_BASE_URL/...) in a mail's text. */
  linkIn(mail: ReceivedMail): string {
    const link = mail.text.match(new RegExp(`${this.url.replace(/[.]/g, '\\.')}/[^\\s)>"]+`))?.[0];
    if (!link) throw new Error(`no console link in the mail "${mail.subject}":\n${mail.text}`);
    return link;
  }

  async stop(): Promise<void> {
    await this.cleanup();
  }
}
