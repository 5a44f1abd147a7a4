import { execFileSync, spawn } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { guardLoopbackOnly, type ConnectGuard } from '../../testing/loopback-connect-guard.js';
import { startTestDnsServer, type TestDnsServer } from '../../testing/test-dns-server.js';
import { EMPTY_ALLOW_LIST, parseAllowList } from './address-vetting.js';
import { OutboundHttpClient, type HostResolver, type OutboundHttpOptions, type OutboundResult } from './outbound-http-client.js';

// Real servers on 127.0.0.1 only. The connect guard stops, and fails the test for, any connection
// that would leave 127.0.0.0/8, so a regression can never send a packet to the addresses used here.

interface ReceivedRequest {
  method: string;
  url: string;
  host: string | undefined;
  serverName: string | false | null | undefined;
  body: string;
}

interface Receiver {
  url: (path?: string) => string;
  port: number;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

async function listen(server: http.Server | https.Server, scheme: 'http' | 'https', hostName = '127.0.0.1'): Promise<Receiver> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const requests = (server as http.Server & { requests: ReceivedRequest[] }).requests;
  return {
    port,
    requests,
    url: (path = '/hook') => `${scheme}://${hostName}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function recording(handler: Handler): { requests: ReceivedRequest[]; handle: Handler } {
  const requests: ReceivedRequest[] = [];
  return {
    requests,
    handle: (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({
          method: request.method ?? '',
          url: request.url ?? '',
          host: request.headers.host,
          serverName: (request.socket as TLSSocket).servername,
          body: Buffer.concat(chunks).toString(),
        });
        handler(request, response);
      });
    },
  };
}

function startHttpReceiver(handler: Handler, hostName?: string): Promise<Receiver> {
  const { requests, handle } = recording(handler);
  return listen(Object.assign(http.createServer(handle), { requests }), 'http', hostName);
}

function startHttpsReceiver(handler: Handler, tls: { key: Buffer; cert: Buffer }, hostName: string): Promise<Receiver> {
  const { requests, handle } = recording(handler);
  return listen(Object.assign(https.createServer(tls, handle), { requests }), 'https', hostName);
}

const acknowledge: Handler = (_request, response) => {
  response.writeHead(202, { 'content-type': 'text/plain' }).end('accepted');
};

/** A resolver asking only the test's DNS server, as the client's injected resolver. */
function resolverAsking(server: TestDnsServer): HostResolver {
  const resolver = new dns.Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([server.address]);
  return async (hostName) => (await resolver.resolve4(hostName)).map((address) => ({ address, family: 4 as const }));
}

const client = (options: Partial<OutboundHttpOptions> = {}) => new OutboundHttpClient({ allowHttp: true, allowList: EMPTY_ALLOW_LIST, ...options });

const post = (target: OutboundHttpClient, url: string) =>
  target.send({ url, headers: { 'content-type': 'application/json', 'x-helpdesk-event': 'ticket.created' }, body: '{"event":"ticket.created"}' });

function expectResponse(result: OutboundResult): Extract<OutboundResult, { outcome: 'response' }> {
  expect(result.outcome, JSON.stringify(result)).toBe('response');
  return result as Extract<OutboundResult, { outcome: 'response' }>;
}

let guard: ConnectGuard;
beforeAll(() => {
  guard = guardLoopbackOnly();
});
afterEach(() => {
  expect(guard.takeViolations(), 'connections that would have left 127.0.0.0/8').toEqual([]);
});
afterAll(() => guard.restore());

describe('the loopback connect guard', () => {
  it('stops a connection to an address outside 127.0.0.0/8 before it is made, and records it', async () => {
    expect(() => net.connect(9, '192.0.2.1')).toThrow('connect guard: a connection to 192.0.2.1 would leave 127.0.0.0/8');
    const viaLookup = net.connect({ host: 'metadata.test', port: 80, lookup: (_name, _options, callback) => callback(null, '169.254.169.254', 4) });
    const error = await new Promise<Error>((resolve) => viaLookup.once('error', resolve));
    expect(error.message).toContain('169.254.169.254 (metadata.test) would leave 127.0.0.0/8');
    expect(guard.takeViolations()).toEqual(['192.0.2.1', '169.254.169.254 (metadata.test)']);
  });
});

describe('a receiver on 127.0.0.1', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startHttpReceiver(acknowledge);
  });
  afterAll(() => receiver.close());

  it('is refused by default, before any connection', async () => {
    const result = await post(client(), receiver.url());
    expect(result).toEqual({ outcome: 'refused', reason: "the webhook URL's host 127.0.0.1 is a loopback address" });
    expect(receiver.requests).toHaveLength(0);
  });

  it('is refused when a host name resolves to it', async () => {
    const dnsServer = await startTestDnsServer(() => ['127.0.0.1']);
    try {
      const result = await post(client({ resolveHost: resolverAsking(dnsServer) }), `http://receiver.webhook.test:${receiver.port}/hook`);
      expect(result).toEqual({ outcome: 'refused', reason: 'receiver.webhook.test resolves to a refused address: 127.0.0.1 is a loopback address' });
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await dnsServer.close();
    }
  });

  it('is reached when WEBHOOK_ALLOWED_HOSTS lists it, with the request as sent', async () => {
    const result = expectResponse(await post(client({ allowList: parseAllowList(['127.0.0.1']) }), receiver.url('/hook?source=helpdesk')));
    expect(result).toMatchObject({ status: 202, address: '127.0.0.1', bodyTruncated: false });
    expect(result.body.toString()).toBe('accepted');
    expect(result.headers['content-type']).toBe('text/plain');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(receiver.requests.at(-1)).toMatchObject({ method: 'POST', url: '/hook?source=helpdesk', host: `127.0.0.1:${receiver.port}`, body: '{"event":"ticket.created"}' });
  });

  it('is refused over http when WEBHOOK_ALLOW_HTTP is off, even when listed', async () => {
    const result = await post(client({ allowHttp: false, allowList: parseAllowList(['127.0.0.1']) }), receiver.url());
    expect(result).toEqual({ outcome: 'refused', reason: 'webhook URLs must use https (http is turned off: WEBHOOK_ALLOW_HTTP)' });
  });
});

describe('DNS rebinding', () => {
  let receiver: Receiver;
  let dnsServer: TestDnsServer;
  beforeAll(async () => {
    receiver = await startHttpReceiver(acknowledge);
    // First answer the vetted receiver, then a private address: a client resolving twice would connect there.
    dnsServer = await startTestDnsServer((_name, queryIndex) => (queryIndex === 0 ? ['127.0.0.1'] : ['10.0.0.1']));
  });
  afterAll(async () => {
    await receiver.close();
    await dnsServer.close();
  });

  it('resolves once and connects to the vetted answer, whatever DNS says next', async () => {
    const rebinding = client({ allowList: parseAllowList(['127.0.0.0/8']), resolveHost: resolverAsking(dnsServer) });
    const url = `http://rebind.webhook.test:${receiver.port}/hook`;

    const first = expectResponse(await post(rebinding, url));
    expect(first).toMatchObject({ status: 202, address: '127.0.0.1' });
    expect(dnsServer.queries).toEqual(['rebind.webhook.test']);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.host).toBe(`rebind.webhook.test:${receiver.port}`);

    // The next delivery resolves anew and meets the rebound answer: refused, nothing sent.
    expect(await post(rebinding, url)).toEqual({ outcome: 'refused', reason: 'rebind.webhook.test resolves to a refused address: 10.0.0.1 is a private address' });
    expect(dnsServer.queries).toEqual(['rebind.webhook.test', 'rebind.webhook.test']);
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const mixed = await startTestDnsServer(() => ['127.0.0.1', '169.254.169.254']);
    try {
      const result = await post(client({ allowList: parseAllowList(['127.0.0.1']), resolveHost: resolverAsking(mixed) }), `http://mixed.webhook.test:${receiver.port}/`);
      expect(result).toEqual({ outcome: 'refused', reason: expect.stringContaining('169.254.169.254 is a link-local address') });
    } finally {
      await mixed.close();
    }
  });

  it('answers an unknown name as a failure, not a refusal', async () => {
    const empty = await startTestDnsServer(() => []);
    try {
      const result = await post(client({ resolveHost: resolverAsking(empty) }), `https://nowhere.webhook.test/`);
      expect(result).toMatchObject({ outcome: 'failed', timedOut: false, reason: expect.stringMatching(/^could not resolve nowhere\.webhook\.test: /) });
    } finally {
      await empty.close();
    }
  });
});

describe('what the receiver answers', () => {
  const allowLoopback = { allowList: parseAllowList(['127.0.0.1']) };

  it('answers a redirect as a response, without following it', async () => {
    const receiver = await startHttpReceiver((_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    try {
      const result = expectResponse(await post(client(allowLoopback), receiver.url()));
      expect(result.status).toBe(302);
      expect(result.headers.location).toBe('http://169.254.169.254/latest/meta-data/');
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('cuts a slow-loris receiver at the total timeout', async () => {
    let closedAt: number | undefined;
    const receiver = await startHttpReceiver((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const trickle = setInterval(() => response.write('.'), 1_000);
      request.socket.once('close', () => {
        clearInterval(trickle);
        closedAt = performance.now();
      });
    });
    try {
      const startedAt = performance.now();
      const result = await post(client({ ...allowLoopback, totalTimeoutMs: 1_000 }), receiver.url());
      expect(result).toMatchObject({ outcome: 'failed', timedOut: true, reason: 'no complete answer within 1000 ms' });
      expect(performance.now() - startedAt).toBeLessThan(2_000);
      await expect.poll(() => closedAt, { timeout: 1_000 }).toBeDefined();
      expect(closedAt! - startedAt).toBeLessThan(2_000);
    } finally {
      await receiver.close();
    }
  });

  it('cuts a receiver that never answers at the total timeout too', async () => {
    const receiver = await startHttpReceiver(() => undefined);
    try {
      const result = await post(client({ ...allowLoopback, totalTimeoutMs: 500 }), receiver.url());
      expect(result).toMatchObject({ outcome: 'failed', timedOut: true, reason: 'no complete answer within 500 ms' });
    } finally {
      await receiver.close();
    }
  });

  it('keeps the first 64 KB of a 100 MB response and drops the connection', async () => {
    const hundredMegabytes = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'abcdefghijklmnopqrstuvwxyz');
    let written = 0;
    let finished = false;
    let closed = false;
    const receiver = await startHttpReceiver((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(hundredMegabytes) });
      response.once('finish', () => (finished = true));
      response.once('close', () => (closed = true));
      const pump = () => {
        while (written < hundredMegabytes && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    try {
      const buffersBefore = process.memoryUsage().arrayBuffers;
      const result = expectResponse(await post(client(allowLoopback), receiver.url()));
      expect(result).toMatchObject({ status: 200, bodyTruncated: true });
      expect(result.body.length).toBe(64 * 1024);
      expect(result.body.equals(chunk)).toBe(true);
      expect(result.body.subarray(0, 1024).toString()).toBe('abcdefghijklmnopqrstuvwxyz'.repeat(40).slice(0, 1024));
      await expect.poll(() => closed, { timeout: 2_000 }).toBe(true);
      expect(finished).toBe(false);
      // Only what the sockets' buffers held left the receiver: nothing near 100 MB was read.
      expect(written).toBeLessThan(16 * 1024 * 1024);
      expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(32 * 1024 * 1024);
    } finally {
      await receiver.close();
    }
  });

  it('keeps a body of exactly 64 KB whole, not truncated', async () => {
    const body = Buffer.alloc(64 * 1024, 'x');
    const receiver = await startHttpReceiver((_request, response) => {
      response.writeHead(500).end(body);
    });
    try {
      const result = expectResponse(await post(client(allowLoopback), receiver.url()));
      expect(result).toMatchObject({ status: 500, bodyTruncated: false });
      expect(result.body.equals(body)).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('answers a body that breaks off as a failure', async () => {
    const receiver = await startHttpReceiver((request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('only the start', () => request.socket.destroy());
    });
    try {
      const result = await post(client(allowLoopback), receiver.url());
      expect(result).toMatchObject({ outcome: 'failed', timedOut: false, reason: expect.stringContaining('the response broke off') });
    } finally {
      await receiver.close();
    }
  });

  it('gives up connecting at the connect timeout', async () => {
    // A listener that never accepts (Node's servers always accept): once its backlog is full, connecting hangs.
    const listener = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()']);
    const fillers: net.Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) => listener.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))));
      for (let filled = false; !filled; ) {
        const filler = net.connect(port, '127.0.0.1').on('error', () => undefined);
        fillers.push(filler);
        await new Promise((resolve) => setTimeout(resolve, 100));
        filled = filler.connecting;
      }
      const result = await post(client({ ...allowLoopback, connectTimeoutMs: 300, totalTimeoutMs: 5_000 }), `http://127.0.0.1:${port}/hook`);
      expect(result).toMatchObject({ outcome: 'failed', timedOut: true, reason: 'could not connect within 300 ms' });
      expect((result as { latencyMs: number }).latencyMs).toBeLessThan(2_000);
    } finally {
      for (const filler of fillers) filler.destroy();
      listener.kill();
    }
  });

  it('answers a connection refused as a network failure', async () => {
    const receiver = await startHttpReceiver(acknowledge);
    const url = receiver.url();
    await receiver.close();
    const result = await post(client(allowLoopback), url);
    expect(result).toMatchObject({ outcome: 'failed', timedOut: false, reason: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('https to a name pinned to its vetted address', () => {
  const hostName = 'hooks.webhook.test';
  let directory: string;
  let tls: { key: Buffer; cert: Buffer };
  let receiver: Receiver;
  let dnsServer: TestDnsServer;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'outbound-https-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${hostName}`, '-addext', `subjectAltName=DNS:${hostName}`,
      '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem'),
    ], { stdio: 'ignore' });
    tls = { key: readFileSync(join(directory, 'key.pem')), cert: readFileSync(join(directory, 'cert.pem')) };
    receiver = await startHttpsReceiver(acknowledge, tls, hostName);
    dnsServer = await startTestDnsServer(() => ['127.0.0.1']);
  });
  afterAll(async () => {
    await receiver.close();
    await dnsServer.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('sends SNI and Host as the name, connects to the address resolved once, and checks the certificate against the name', async () => {
    const secure = client({ allowHttp: false, allowList: parseAllowList([hostName]), resolveHost: resolverAsking(dnsServer), ca: tls.cert });
    const result = expectResponse(await post(secure, receiver.url()));
    expect(result).toMatchObject({ status: 202, address: '127.0.0.1' });
    expect(receiver.requests.at(-1)).toMatchObject({ serverName: hostName, host: `${hostName}:${receiver.port}` });
    expect(dnsServer.queries).toEqual([hostName]);
  });

  it('fails when the certificate is not trusted', async () => {
    const untrusting = client({ allowHttp: false, allowList: parseAllowList([hostName]), resolveHost: resolverAsking(dnsServer) });
    const result = await post(untrusting, receiver.url());
    expect(result).toMatchObject({ outcome: 'failed', timedOut: false, reason: expect.stringContaining('SELF_SIGNED_CERT') });
  });
});

describe('connection reuse', () => {
  /** A receiver counting its TCP connections; `onRequest` may refuse a request by dropping its connection. */
  async function countingReceiver(onRequest: (requestOnConnection: number) => 'answer' | 'drop' = () => 'answer'): Promise<Receiver & { connections: () => number }> {
    let connections = 0;
    const requestsPerSocket = new WeakMap<object, number>();
    const server = http.createServer((request, response) => {
      const index = (requestsPerSocket.get(request.socket) ?? 0) + 1;
      requestsPerSocket.set(request.socket, index);
      if (onRequest(index) === 'drop') {
        request.socket.destroy();
        return;
      }
      request.resume().on('end', () => acknowledge(request, response));
    });
    server.on('connection', () => connections++);
    const receiver = await listen(Object.assign(server, { requests: [] }), 'http');
    return { ...receiver, connections: () => connections };
  }

  it('sends consecutive deliveries to one receiver over one kept-alive connection', async () => {
    const receiver = await countingReceiver();
    const pooling = client({ allowList: parseAllowList(['127.0.0.1']) });
    try {
      for (let index = 0; index < 3; index++) expectResponse(await post(pooling, receiver.url()));
      expect(receiver.connections()).toBe(1);
    } finally {
      pooling.close();
      await receiver.close();
    }
  });

  it('does not reuse a connection once the host name resolves to other addresses', async () => {
    const receiver = await countingReceiver();
    const dnsServer = await startTestDnsServer((_name, queryIndex) => (queryIndex === 0 ? ['127.0.0.1'] : ['127.0.0.1', '127.0.0.2']));
    const pooling = client({ allowList: parseAllowList(['127.0.0.0/8']), resolveHost: resolverAsking(dnsServer) });
    try {
      const url = `http://moving.webhook.test:${receiver.port}/hook`;
      expectResponse(await post(pooling, url));
      expectResponse(await post(pooling, url));
      expect(dnsServer.queries).toHaveLength(2);
      // The connection of the first answer was vetted for that answer only: the second set gets its own.
      expect(receiver.connections()).toBe(2);
    } finally {
      pooling.close();
      await dnsServer.close();
      await receiver.close();
    }
  });

  it('sends a request again on a new connection when the receiver dropped the pooled one', async () => {
    // Every second request on a connection is dropped unanswered, as a receiver closing an idle connection would.
    const receiver = await countingReceiver((requestOnConnection) => (requestOnConnection === 2 ? 'drop' : 'answer'));
    const pooling = client({ allowList: parseAllowList(['127.0.0.1']) });
    try {
      expectResponse(await post(pooling, receiver.url()));
      expect(expectResponse(await post(pooling, receiver.url())).status).toBe(202);
      expect(receiver.connections()).toBe(2);
    } finally {
      pooling.close();
      await receiver.close();
    }
  });
});
