import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase } from './database.js';
import { TestNatsServer } from './nats-server.js';
import { deleteRedisKeys } from './redis-cleanup.js';
import { SERVICE_SPECS, ServiceProcess } from './service-processes.js';
import type { ServiceName } from '@helpdesk/contracts';

export const STACK_SECRET_KEY = 'k7Vq2LmX9pR4tW8zB1nC5hJ3fD6sGa0Yq2LmX9pR';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * The gateway and ticket service (and optionally the ai-proxy) as real processes, in production mode, on their own nats-server,
 * database and Redis key prefix, each service with its own NATS user: the API as a client sees it.
 */
export class ApiStack {
  private constructor(
    readonly nats: TestNatsServer,
    private readonly database: { drop(): Promise<void> },
    /** The database the services use: the stack's own, or the one a test passed as DB_NAME. */
    private readonly databaseName: string,
    readonly ticket: ServiceProcess,
    readonly gateways: ServiceProcess[],
    private readonly queuePrefix: string,
    readonly aiProxy?: ServiceProcess,
  ) {}

  get url(): string {
    return this.gateways[0]!.url;
  }

  /** `env` is added to every service's; a DB_NAME there must name a migrated database (createTestDatabase(label, { migrated: true })). */
  static async start(label: string, options: { gateways?: number; env?: Record<string, string>; aiProxy?: boolean } = {}): Promise<ApiStack> {
    const queuePrefix = `${label}-${randomBytes(4).toString('hex')}`;
    const nats = await TestNatsServer.start({ serviceUsers: true });
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    const services: ServiceProcess[] = [];
    try {
      database = await createTestDatabase(label, { migrated: true });
      const env = {
        NODE_ENV: 'production',
        LOG_LEVEL: 'error',
        NATS_URL: nats.url,
        DB_NAME: database.name,
        SECRET_KEY: STACK_SECRET_KEY,
        ALLOWED_HOSTS: '127.0.0.1,localhost',
        QUEUE_PREFIX: queuePrefix,
        RATE_LIMIT_ANON_PER_HOUR: '100000',
        RATE_LIMIT_AUTH_PER_HOUR: '100000',
        RATE_LIMIT_PASSWORD_RESET_PER_HOUR: '1000',
        SIGNUP_ENABLED: 'true',
        ...options.env,
      };
      const start = async (name: ServiceName) => {
        const service = await ServiceProcess.start(SERVICE_SPECS.find((candidate) => candidate.name === name)!, { ...env, NATS_URL: nats.urlFor(name) });
        services.push(service);
        return service;
      };
      const ticket = await start('ticket');
      const gateways: ServiceProcess[] = [];
      for (let index = 0; index < (options.gateways ?? 1); index += 1) gateways.push(await start('gateway'));
      const aiProxy = options.aiProxy ? await start('ai-proxy') : undefined;
      await Promise.all(services.map((service) => service.waitUntilReady()));
      return new ApiStack(nats, database, env.DB_NAME, ticket, gateways, env.QUEUE_PREFIX, aiProxy);
    } catch (error) {
      // A failed start must not leave processes running after the test file ends (nothing would stop them).
      await Promise.allSettled(services.map((service) => service.kill()));
      await Promise.allSettled([nats.destroy(), database?.drop(), deleteRedisKeys(queuePrefix)]);
      throw error;
    }
  }

  async request<T = any>(method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; gateway?: number } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.gateways[options.gateway ?? 0]!.url}${path}`, {
      method,
      headers,
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, headers: response.headers, body: body as T, text };
  }

  /**
   * A request through node:http, for what fetch will not do: set the Host header, or announce a
   * body (Content-Length) without sending it, to see the server refuse it from the headers alone.
   */
  rawRequest(method: string, path: string, options: { headers?: Record<string, string>; declaredLength?: number } = {}): Promise<{ status: number; body: any }> {
    const target = new URL(`${this.url}${path}`);
    const headers = { ...options.headers, ...(options.declaredLength === undefined ? {} : { 'content-length': String(options.declaredLength) }) };
    return new Promise((resolve, reject) => {
      const request = httpRequest({ host: target.hostname, port: target.port, path, method, headers, timeout: 10_000 }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      });
      request.on('timeout', () => request.destroy(new Error(`no answer to ${method} ${path} within 10 s`)));
      request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      if (options.declaredLength === undefined) request.end();
      else request.flushHeaders();
    });
  }

  /** A new organization, its address verified; returns its admin's session. */
  async signup(organizationName: string): Promise<{ token: string; refreshToken: string; userId: string; orgId: string; email: string }> {
    const email = `admin-${randomBytes(4).toString('hex')}@example.com`;
    const response = await this.request('POST', '/api/v1/auth/signup', { body: { organizationName, name: 'Admin', email, password: 'correct horse battery staple' } });
    if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${response.text}`);
    await this.markEmailVerified(response.body.organization.id);
    return { token: response.body.accessToken, refreshToken: response.body.refreshToken, userId: response.body.user.id, orgId: response.body.organization.id, email };
  }

  /** As if the admin had followed the verification link: until then the organization may not add users. */
  private async markEmailVerified(organizationId: string): Promise<void> {
    const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: this.databaseName });
    await client.connect();
    try {
      await client.query('UPDATE helpdesk.organizations SET email_verified_at = now() WHERE id = $1', [organizationId]);
    } finally {
      await client.end();
    }
  }

  /** An admin adds a user with a password, who then logs in. */
  async addUser(adminToken: string, role: 'admin' | 'agent' | 'customer'): Promise<{ token: string; userId: string; email: string }> {
    const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
    const created = await this.request('POST', '/api/v1/users', { token: adminToken, body: { name: `A ${role}`, email, role, password: 'correct horse battery staple' } });
    if (created.status !== 201) throw new Error(`invite failed: ${created.status} ${created.text}`);
    const login = await this.request('POST', '/api/v1/auth/login', { body: { email, password: 'correct horse battery staple' } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    return { token: login.body.accessToken, userId: created.body.id, email };
  }

  async stop(): Promise<void> {
    await Promise.all([this.ticket, ...this.gateways, ...(this.aiProxy ? [this.aiProxy] : [])].map((service) => service.kill()));
    await this.nats.destroy();
    await this.database.drop();
    await deleteRedisKeys(this.queuePrefix);
  }
}
