import { REALTIME_PATH } from '@helpdesk/contracts';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, RealtimeReplica, type TestClient } from '../../../realtime/src/testing/realtime-harness.js';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';
import { CONSOLE_CSP } from './web-console.js';

const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/index-4f2a9c1e.js"></script></head><body><div id="root"></div></body></html>\n';
/** Large enough that compression matters, as a real bundle. */
const BUNDLE = `console.log(${JSON.stringify('the helpdesk console '.repeat(200))});\n`;
const OUTSIDE_MARKER = 'this file lies outside the web root';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET with exactly this path and these headers: fetch would normalize "..", pick its own Accept-Encoding and decode the body. */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

/** What Vite leaves in dist/web: index.html, a public file, hashed assets with their .br and .gz. */
async function buildFixture(directory: string): Promise<string> {
  const webRoot = join(directory, 'web');
  await mkdir(join(webRoot, 'assets'), { recursive: true });
  await writeFile(join(directory, 'package.json'), JSON.stringify({ note: OUTSIDE_MARKER }));
  await writeFile(join(webRoot, 'index.html'), INDEX_HTML);
  await writeFile(join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(webRoot, '.env'), `SECRET=${OUTSIDE_MARKER}`);
  const bundle = join(webRoot, 'assets', 'index-4f2a9c1e.js');
  await writeFile(bundle, BUNDLE);
  await writeFile(`${bundle}.br`, brotliCompressSync(BUNDLE));
  await writeFile(`${bundle}.gz`, gzipSync(BUNDLE));
  return webRoot;
}

describe('the web console, served by the gateway', () => {
  let directory: string;
  let gateway: GatewayHarness;
  let webRoot: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'web-console-'));
    webRoot = await buildFixture(directory);
    gateway = await GatewayHarness.start('web_console', { WEB_ROOT: webRoot });
  });

  afterAll(async () => {
    await gateway?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it.each(['/', '/login', '/tickets/123', '/admin/users', '/reset-password?token=abc', '/settings/profile'])('answers the app for the client route %s, revalidated on every load, under the console CSP', async (path) => {
    const response = await get(gateway.url, path);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body.toString()).toBe(INDEX_HTML);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('answers the app to HEAD as well, without a body', async () => {
    const response = await get(gateway.url, '/tickets', {}, 'HEAD');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body.length).toBe(0);
  });

  it('answers 304 to a browser revalidating index.html it already has', async () => {
    const first = await get(gateway.url, '/tickets/7');
    const again = await get(gateway.url, '/tickets/7', { 'if-none-match': String(first.headers.etag) });

    expect(first.headers.etag).toBeTruthy();
    expect(again.status).toBe(304);
  });

  it('keeps the strict API CSP on API answers', async () => {
    const response = await get(gateway.url, '/api/v1/auth/me');

    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('serves a hashed asset for a year, immutable', async () => {
    const response = await get(gateway.url, '/assets/index-4f2a9c1e.js');

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body.toString()).toBe(BUNDLE);
  });

  it.each([
    ['br', 'br', '.br'],
    ['gzip', 'gzip', '.gz'],
    ['gzip, deflate, br', 'br', '.br'],
  ])('sends the precompressed file to a browser accepting %s', async (acceptEncoding, encoding, suffix) => {
    const response = await get(gateway.url, '/assets/index-4f2a9c1e.js', { 'accept-encoding': acceptEncoding });

    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe(encoding);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body.equals(await readFile(join(webRoot, 'assets', `index-4f2a9c1e.js${suffix}`)))).toBe(true);
  });

  it('answers 404, not the app, for an asset that does not exist (a stale hash)', async () => {
    const response = await get(gateway.url, '/assets/index-00000000.js', { accept: 'text/html' });

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.toString()).not.toContain('<div id="root">');
  });

  it('serves the files next to index.html and answers 404 for one that is missing', async () => {
    const favicon = await get(gateway.url, '/favicon.svg');
    const missing = await get(gateway.url, '/apple-touch-icon.png');

    expect(favicon.status).toBe(200);
    expect(favicon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(favicon.headers['cache-control']).toBe('no-cache');
    expect(missing.status).toBe(404);
  });

  it.each(['/api/v1/nonexistent', '/api', '/API/v1/nonexistent', '/health/nope', '/healthz', '/metrics', '/Metrics', '/%6Detrics', '/socket.io/?EIO=4&transport=polling', '/assets'])(
    'never answers the app for %s: the API 404 stays',
    async (path) => {
      const response = await get(gateway.url, path, { accept: 'text/html' });

      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(response.body.toString())).toMatchObject({ statusCode: 404, error: 'Not Found', message: `Cannot GET ${path}` });
    },
  );

  it.each([
    '/assets/../../package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/..%5c..%5cpackage.json',
    '/assets/%252e%252e/%252e%252e/package.json',
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/.env',
    '/assets/../.env',
  ])('refuses the path traversal %s', async (path) => {
    const response = await get(gateway.url, path);

    expect(response.body.toString()).not.toContain(OUTSIDE_MARKER);
    if (path.startsWith('/assets/')) expect(response.status).toBeGreaterThanOrEqual(400);
    // Elsewhere a path is a client route at worst: the app, not a file.
    else if (response.status === 200) expect(response.body.toString()).toBe(INDEX_HTML);
  });

  describe('before the console is built', () => {
    let unbuilt: GatewayHarness;

    beforeAll(async () => {
      unbuilt = await gateway.startReplica({ WEB_ROOT: join(directory, 'not-built') });
    });

    it('still runs the API and says how to build the console', async () => {
      const page = await get(unbuilt.url, '/tickets/123');
      const api = await get(unbuilt.url, '/api/v1/nonexistent');
      const live = await get(unbuilt.url, '/health/live');

      expect(page.status).toBe(503);
      expect(page.headers['content-type']).toMatch(/^text\/plain/);
      expect(page.body.toString()).toContain('npm run build');
      expect(api.status).toBe(404);
      expect(live.status).toBe(200);
    });
  });
});

describe('sockets on the gateway origin, proxied to realtime', () => {
  let gateway: GatewayHarness;
  let realtime: RealtimeReplica;
  let proxied: GatewayHarness;
  let admin: SignedUpAdmin;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    gateway = await GatewayHarness.start('web_socket_proxy');
    realtime = await RealtimeReplica.start(gateway.ticket.nats.url, { SECRET_KEY: gateway.config.SECRET_KEY });
    proxied = await gateway.startReplica({ REALTIME_PROXY_URL: realtime.url });
    admin = await gateway.signup('Proxy Desk');
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await realtime?.stop();
    await gateway?.stop();
  });

  it('delivers a live ticket event to a socket connected through the gateway', async () => {
    const client = await connectClient(proxied.url, admin.accessToken, { path: REALTIME_PATH });
    clients.push(client);

    const created = await proxied.call('/tickets', { token: admin.accessToken, body: { subject: 'Through the proxy', description: 'Hello' } });
    const { id } = (await created.json()) as { id: string };

    const event = await client.waitForEvent('ticket.created', (envelope) => envelope.aggregateId === id);
    expect(event.type).toBe('ticket.created');
  });

  it('passes plain HTTP under /socket.io through too: realtime answers, not the gateway', async () => {
    // Realtime speaks WebSocket only, so a long-polling handshake gets its own refusal.
    const path = `${REALTIME_PATH}/?EIO=4&transport=polling`;
    const direct = await get(realtime.url, path);
    const throughGateway = await get(proxied.url, path);

    expect(throughGateway.status).toBe(direct.status);
    expect(throughGateway.body.toString()).toBe(direct.body.toString());
    expect(JSON.parse(direct.body.toString())).toMatchObject({ message: 'Transport unknown' });
  });

  it('closes its proxied sockets when it shuts down, so the shutdown does not wait on them', async () => {
    const leaving = await gateway.startReplica({ REALTIME_PROXY_URL: realtime.url });
    const client = await connectClient(leaving.url, admin.accessToken, { path: REALTIME_PATH });
    clients.push(client);
    const disconnected = client.disconnected();

    expect(await leaving.service.shutdown('test')).toBe(0);
    expect(await disconnected).toMatch(/transport (close|error)/);
  });

  it('refuses, through the proxy, a socket without a valid token (realtime still decides)', async () => {
    await expect(connectClient(proxied.url, 'not-a-token', { path: REALTIME_PATH })).rejects.toThrow(/token/i);
  });
});
