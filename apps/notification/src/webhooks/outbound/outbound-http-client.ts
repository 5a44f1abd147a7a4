import { promises as dns } from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { LRUCache } from 'lru-cache';
import type { NotificationConfig } from '../../notification.config.js';
import { isHostNameAllowed, parseAllowList, vetAddress, type WebhookAllowList } from './address-vetting.js';
import { checkWebhookUrl } from './webhook-url.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a host name, resolved once per request. Injectable so tests can use a DNS server of their own. */
export type HostResolver = (hostName: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostName) =>
  (await dns.lookup(hostName, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

export interface OutboundHttpOptions {
  /** WEBHOOK_ALLOW_HTTP. */
  allowHttp: boolean;
  /** WEBHOOK_ALLOWED_HOSTS, parsed with parseAllowList. */
  allowList: WebhookAllowList;
  resolveHost?: HostResolver;
  /** Until the TCP connection is up. */
  connectTimeoutMs?: number;
  /** The whole exchange, resolution to the last body byte read: a receiver trickling bytes is cut here. */
  totalTimeoutMs?: number;
  /** Bytes of the response body kept; the connection is dropped once they are in. */
  maxBodyBytes?: number;
  /** Certificate authorities trusted instead of Node's bundled ones (a private CA on premises; tests). */
  ca?: string | Buffer;
}

export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'GET' | 'PUT';
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type OutboundResult =
  /** Nothing was sent: the URL or an address it resolves to is not allowed. */
  | { outcome: 'refused'; reason: string }
  /** No complete answer: resolution, connection, TLS or timeout failures. */
  | { outcome: 'failed'; reason: string; timedOut: boolean; latencyMs: number }
  | {
      outcome: 'response';
      status: number;
      headers: IncomingHttpHeaders;
      /** The first maxBodyBytes of the body at most. */
      body: Buffer;
      bodyTruncated: boolean;
      /** From the start of the request to the response's status and headers. */
      latencyMs: number;
      /** The vetted address the connection went to. */
      address: string;
    };

export const OUTBOUND_DEFAULTS = { connectTimeoutMs: 5_000, totalTimeoutMs: 10_000, maxBodyBytes: 65_536 } as const;
/**
 * An idle pooled connection is closed after this: shorter than the common servers' keep-alive
 * timeouts (Node 5 s, nginx 75 s, load balancers 60 s), so the receiver rarely closes one just as it is reused.
 */
const IDLE_SOCKET_MS = 4_000;
/** Keep-alive pools kept at most (one per receiver origin and vetted address set); the least recently used is closed. */
const MAX_POOLS = 1_000;
/** The errors of a pooled connection the receiver closed while idle: the request never reached it, so it goes once more on a new connection. */
const STALE_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE']);

class OutboundTimeout extends Error {}

/**
 * HTTP(S) out to addresses a tenant chose, safe against SSRF (DESIGN section 16): the host is
 * resolved once, every address vetted, and the socket connects to those vetted addresses only.
 * node:http/https with a `lookup` answering the vetted addresses pins the connection while TLS SNI,
 * certificate checks and the Host header keep the name, with no extra dependency; and they never follow redirects.
 */
export class OutboundHttpClient {
  private readonly resolveHost: HostResolver;
  private readonly connectTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly maxBodyBytes: number;
  /**
   * Keep-alive pools keyed by origin, TLS name and the vetted addresses: a pooled socket is reused
   * only for a request whose host resolved (and was vetted) to the same addresses it was connected
   * to, so pooling never reaches an address this request's vetting did not allow. A new connection
   * per delivery cost a TCP (and TLS) handshake each: most of a delivery's time at hundreds a second.
   */
  private readonly pools = new LRUCache<string, http.Agent>({ max: MAX_POOLS, dispose: (agent) => agent.destroy() });

  constructor(private readonly options: OutboundHttpOptions) {
    this.resolveHost = options.resolveHost ?? systemResolver;
    this.connectTimeoutMs = options.connectTimeoutMs ?? OUTBOUND_DEFAULTS.connectTimeoutMs;
    this.totalTimeoutMs = options.totalTimeoutMs ?? OUTBOUND_DEFAULTS.totalTimeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? OUTBOUND_DEFAULTS.maxBodyBytes;
  }

  /** The client deliveries use: WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOWED_HOSTS, the system resolver and the default limits. */
  static fromConfig(config: Pick<NotificationConfig, 'WEBHOOK_ALLOW_HTTP' | 'WEBHOOK_ALLOWED_HOSTS'>): OutboundHttpClient {
    return new OutboundHttpClient({ allowHttp: config.WEBHOOK_ALLOW_HTTP, allowList: parseAllowList(config.WEBHOOK_ALLOWED_HOSTS) });
  }

  async send(request: OutboundRequest): Promise<OutboundResult> {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    const verdict = checkWebhookUrl(request.url, this.options);
    if (!verdict.allowed) return { outcome: 'refused', reason: verdict.reason };

    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new OutboundTimeout(`no complete answer within ${this.totalTimeoutMs} ms`)), this.totalTimeoutMs);
    });
    try {
      let addresses: ResolvedAddress[];
      if (verdict.address) addresses = [{ address: verdict.address, family: verdict.address.includes(':') ? 6 : 4 }];
      else {
        const resolved = await Promise.race([this.resolve(verdict.hostName), timedOut]);
        if (resolved.outcome === 'refused') return resolved;
        if (resolved.outcome === 'unresolved') return { outcome: 'failed', reason: resolved.reason, timedOut: false, latencyMs: elapsed() };
        addresses = resolved.addresses;
      }
      const serverName = verdict.address ? undefined : verdict.hostName;
      return await Promise.race([this.exchange(verdict.url, serverName, addresses, request, elapsed, timedOut), timedOut]);
    } catch (error) {
      if (error instanceof OutboundTimeout) return { outcome: 'failed', reason: error.message, timedOut: true, latencyMs: elapsed() };
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Closes the pooled connections (at shutdown). */
  close(): void {
    this.pools.clear();
  }

  private poolFor(url: URL, serverName: string | undefined, addresses: ResolvedAddress[]): http.Agent {
    const key = `${url.protocol}//${url.host} ${serverName ?? ''} ${addresses.map(({ address }) => address).sort().join(',')}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const };
      pool = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Resolves once and vets every answer: one refused address refuses the request, whichever the socket would have picked. */
  private async resolve(
    hostName: string,
  ): Promise<{ outcome: 'resolved'; addresses: ResolvedAddress[] } | { outcome: 'refused'; reason: string } | { outcome: 'unresolved'; reason: string }> {
    let answers: ResolvedAddress[];
    try {
      answers = await this.resolveHost(hostName);
    } catch (error) {
      return { outcome: 'unresolved', reason: `could not resolve ${hostName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
    if (answers.length === 0) return { outcome: 'unresolved', reason: `could not resolve ${hostName}: no address` };
    // A host name listed in WEBHOOK_ALLOWED_HOSTS is trusted whatever it resolves to; it is still pinned.
    if (isHostNameAllowed(hostName, this.options.allowList)) return { outcome: 'resolved', addresses: answers };
    const addresses: ResolvedAddress[] = [];
    for (const answer of answers) {
      const vetted = vetAddress(answer.address, this.options.allowList);
      if (!vetted.allowed) return { outcome: 'refused', reason: `${hostName} resolves to a refused address: ${vetted.reason}` };
      addresses.push({ address: vetted.address, family: answer.family });
    }
    return { outcome: 'resolved', addresses };
  }

  private exchange(
    url: URL,
    /** The host name for TLS SNI; undefined for an IP literal. */
    serverName: string | undefined,
    addresses: ResolvedAddress[],
    request: OutboundRequest,
    elapsed: () => number,
    timedOut: Promise<never>,
    onNewConnection = false,
  ): Promise<OutboundResult> {
    return new Promise<OutboundResult>((resolve) => {
      const [first] = addresses;
      // The socket asks this instead of DNS: it can only ever reach the addresses vetted above.
      const pinnedLookup: LookupFunction = (_name, lookupOptions, callback) => {
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, first!.address, first!.family);
      };
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const transport = url.protocol === 'https:' ? https : http;
      const outgoing = transport.request({
        protocol: url.protocol,
        // The name (not the address) so that the socket calls pinnedLookup, and TLS checks the certificate against it.
        host: serverName ?? first!.address,
        port: url.port || (url.protocol === 'https:' ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: request.method ?? 'POST',
        headers: { ...request.headers, host: url.host, ...(body ? { 'content-length': String(body.length) } : {}) },
        lookup: pinnedLookup,
        // Pooled per host and vetted address set (poolFor); a retry after a stale pooled socket takes a fresh one.
        agent: onNewConnection ? false : this.poolFor(url, serverName, addresses),
        ...(url.protocol === 'https:' ? { servername: serverName, ca: this.options.ca } : {}),
      });
      // Set once this exchange was given up (deadline, limit): the errors its teardown raises are no stale socket to retry.
      let abandoned = false;
      const fail = (reason: string, timedOut = false) => {
        abandoned = true;
        outgoing.destroy();
        resolve({ outcome: 'failed', reason, timedOut, latencyMs: elapsed() });
      };
      // The total deadline's race settles the caller's promise; this tears the connection down with it.
      timedOut.catch(() => {
        abandoned = true;
        outgoing.destroy();
      });
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(() => fail(`could not connect within ${this.connectTimeoutMs} ms`, true), this.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
        socket.once('close', () => clearTimeout(connectTimer));
      });
      let answered = false;
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (outgoing.reusedSocket && !answered && !abandoned && !onNewConnection && STALE_SOCKET_ERRORS.has(error.code ?? '')) {
          resolve(this.exchange(url, serverName, addresses, request, elapsed, timedOut, true));
          return;
        }
        fail(`${error.code ?? 'network error'}: ${error.message}`);
      });
      outgoing.on('response', (response: IncomingMessage) => {
        answered = true;
        const latencyMs = elapsed();
        const address = response.socket.remoteAddress ?? first!.address;
        const chunks: Buffer[] = [];
        let received = 0;
        const answer = (bodyTruncated: boolean) =>
          resolve({
            outcome: 'response',
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).subarray(0, this.maxBodyBytes),
            bodyTruncated,
            latencyMs,
            address,
          });
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          if (received > this.maxBodyBytes) {
            // Enough kept: drop the connection rather than read (and buffer) the rest.
            answer(true);
            abandoned = true;
            outgoing.destroy();
          }
        });
        response.on('end', () => answer(false));
        response.on('error', (error: NodeJS.ErrnoException) => fail(`the response broke off: ${error.code ?? error.message}`));
      });
      outgoing.end(body);
    });
  }
}
