import { AccessTokens, loadConfig, startService, type RunningService } from '@helpdesk/common';
import type { OrganizationView, Principal, Role, UserView } from '@helpdesk/contracts';
import { freePort } from '@helpdesk/testing';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { TicketHarness } from '../../../ticket/src/testing/ticket-harness.js';
import { gatewayApp } from '../gateway.app.js';
import { GatewayConfig } from '../gateway.config.js';

/** A caller of the API: the token to send and who it stands for. */
export interface TestCaller {
  accessToken: string;
  principal: Principal;
}

export interface SignedUpAdmin extends TestCaller {
  user: UserView;
  organization: OrganizationView;
}

export interface CallOptions {
  method?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** JSON-encoded, unless it is FormData (multipart). */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The public API as clients see it, in this process: the real gateway over HTTP in front of the real
 * ticket service, on a private nats-server, database and queue prefix (see TicketHarness). Rate
 * limits are raised out of the way; tests of the limits themselves override them.
 */
export class GatewayHarness {
  private constructor(
    /** The ticket service with its nats-server and database. */
    readonly ticket: TicketHarness,
    readonly config: GatewayConfig,
    readonly service: RunningService,
    private readonly replicas: RunningService[] = [],
  ) {}

  static async start(label: string, overrides: Record<string, string | undefined> = {}, ticketOverrides: Record<string, string> = {}): Promise<GatewayHarness> {
    const ticket = await TicketHarness.start(label, ticketOverrides);
    try {
      const config = await gatewayConfig(ticket, overrides);
      const service = await startService(gatewayApp, config, { logStream: new PassThrough() });
      return new GatewayHarness(ticket, config, service);
    } catch (error) {
      await ticket.stop();
      throw error;
    }
  }

  /**
   * Another gateway replica in front of the same ticket service, with the same secret, limits and
   * queue prefix (so the same Redis counters) unless overridden; stopped by this harness's stop().
   */
  async startReplica(overrides: Record<string, string> = {}): Promise<GatewayHarness> {
    const config = await gatewayConfig(this.ticket, { ...this.sharedSettings(), ...overrides });
    const service = await startService(gatewayApp, config, { logStream: new PassThrough() });
    this.replicas.push(service);
    return new GatewayHarness(this.ticket, config, service);
  }

  private sharedSettings(): Record<string, string> {
    const shared = ['SECRET_KEY', 'REDIS_URL', 'TRUST_PROXY', 'NATS_REQUEST_TIMEOUT_MS', 'RATE_LIMIT_ANON_PER_HOUR', 'RATE_LIMIT_AUTH_PER_HOUR', 'RATE_LIMIT_LOGIN_PER_MINUTE', 'RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE', 'RATE_LIMIT_REFRESH_FAILURES_PER_IP_PER_MINUTE', 'RATE_LIMIT_PASSWORD_RESET_PER_HOUR', 'RATE_LIMIT_PASSWORD_RESET_PER_EMAIL_PER_HOUR', 'RATE_LIMIT_API_TOKEN_FAILURES_PER_IP_PER_MINUTE'] as const;
    return Object.fromEntries(shared.map((name) => [name, String(this.config[name])]));
  }

  /** The gateway's base address, without the /api/v1 prefix. */
  get url(): string {
    return `http://${this.config.HOST}:${this.config.GATEWAY_PORT}`;
  }

  /** A request to `/api/v1<path>`. */
  call(path: string, options: CallOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: RequestInit['body'];
    if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    return fetch(`${this.url}/api/v1${path}`, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  }

  /**
   * A new organization through POST /auth/signup, with its first admin signed in; marked verified at
   * once (so it may mail customers) unless `emailVerified: false`. A notification service running
   * then finds it verified and sends no verification mail.
   */
  async signup(organizationName = 'Acme Support', options: { emailVerified?: boolean } = {}): Promise<SignedUpAdmin> {
    const response = await this.call('/auth/signup', {
      body: { organizationName, name: 'Ada Admin', email: `admin-${randomBytes(3).toString('hex')}@example.com`, password: 'correct horse battery staple' },
    });
    if (response.status !== 201) throw new Error(`signup answered ${response.status}: ${await response.text()}`);
    const { accessToken, user, organization } = (await response.json()) as { accessToken: string; user: UserView; organization: OrganizationView };
    if (options.emailVerified !== false) {
      await this.ticket.verifyEmail(organization.id);
      organization.emailVerified = true;
    }
    return { accessToken, user, organization, principal: { orgId: organization.id, userId: user.id, role: user.role } };
  }

  /** Another user of an organization, signed in (user management has its own tests). */
  async addUser(orgId: string, role: Role): Promise<TestCaller> {
    const principal = await this.ticket.addUser(orgId, role);
    return { principal, accessToken: this.service.app.get(AccessTokens).sign(principal) };
  }

  async stop(): Promise<void> {
    for (const replica of this.replicas) await replica.shutdown('test end');
    await this.service.shutdown('test end');
    await this.ticket.stop();
  }
}

async function gatewayConfig(ticket: TicketHarness, overrides: Record<string, string | undefined>): Promise<GatewayConfig> {
  return loadConfig(GatewayConfig, {
    SECRET_KEY: randomBytes(24).toString('hex'),
    NATS_URL: ticket.nats.url,
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(await freePort()),
    METRICS_PORT: '0',
    QUEUE_PREFIX: ticket.config.QUEUE_PREFIX,
    LOG_LEVEL: 'error',
    RATE_LIMIT_ANON_PER_HOUR: '100000',
    RATE_LIMIT_AUTH_PER_HOUR: '100000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_REFRESH_FAILURES_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_PASSWORD_RESET_PER_HOUR: '10000',
    RATE_LIMIT_PASSWORD_RESET_PER_EMAIL_PER_HOUR: '10000',
    RATE_LIMIT_API_TOKEN_FAILURES_PER_IP_PER_MINUTE: '10000',
    // Off by default in the code; the harness signs organizations up (an override of undefined unsets it).
    SIGNUP_ENABLED: 'true',
    ...overrides,
  });
}
