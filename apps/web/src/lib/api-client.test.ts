// @vitest-environment node
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from './api-client';
import { ApiError, NetworkError } from './api-error';

/**
 * A small HTTP server playing the gateway's part: `/api/v1/auth/refresh` hands out numbered access
 * tokens (the cookie is the browser's business), `/api/v1/me` accepts only the newest token.
 */
class FakeGateway {
  refreshes = 0;
  refreshStatus = 200;
  currentToken = 'token-0';
  seen: Array<{ path: string; authorization?: string; ifMatch?: string }> = [];
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body === undefined ? '' : JSON.stringify(body));
  }

  private async handle(request: IncomingMessage, response: ServerResponse) {
    for await (const _chunk of request) {
      // Drain the body.
    }
    const path = request.url ?? '';
    this.seen.push({ path, authorization: request.headers.authorization, ifMatch: request.headers['if-match'] as string | undefined });
    if (path === '/api/v1/auth/refresh') {
      this.refreshes += 1;
      // Slow enough that concurrent 401s overlap with one refresh.
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (this.refreshStatus !== 200) return this.send(response, this.refreshStatus, { statusCode: this.refreshStatus, error: 'Unauthorized', message: 'Session ended', requestId: 'r-1' });
      this.currentToken = `token-${this.refreshes}`;
      return this.send(response, 200, { accessToken: this.currentToken, tokenType: 'Bearer', expiresIn: 900, refreshToken: 'opaque' });
    }
    if (path === '/api/v1/me') {
      if (request.headers.authorization !== `Bearer ${this.currentToken}`) return this.send(response, 401, { statusCode: 401, error: 'Unauthorized', message: 'Token expired', requestId: 'r-2' });
      return this.send(response, 200, { user: { id: 'u-1' } });
    }
    if (path === '/api/v1/attachments/a-1') {
      if (request.headers.authorization !== `Bearer ${this.currentToken}`) return this.send(response, 401, { statusCode: 401, error: 'Unauthorized', message: 'Token expired', requestId: 'r-6' });
      response.writeHead(200, { 'content-type': 'text/plain', 'content-disposition': 'attachment; filename="log.txt"' });
      return response.end('E-204 paper path');
    }
    if (path === '/api/v1/tickets') {
      return this.send(response, 400, { statusCode: 400, error: 'Bad Request', message: ['subject should not be empty', 'priority must be one of low, normal', 'something else'], requestId: 'r-3' });
    }
    if (path === '/api/v1/auth/login') return this.send(response, 429, { statusCode: 429, error: 'Too Many Requests', message: 'Too many failed logins', requestId: 'r-4' }, { 'retry-after': '42' });
    if (path === '/api/v1/auth/logout') return this.send(response, 204, undefined);
    return this.send(response, 404, { statusCode: 404, error: 'Not Found', message: 'Ticket not found', requestId: 'r-5' });
  }
}

describe('API client', () => {
  let gateway: FakeGateway;
  beforeEach(async () => {
    gateway = new FakeGateway();
    await gateway.start();
  });
  afterEach(() => gateway.stop());

  it('restores a session from the refresh cookie, then sends the token it got', async () => {
    const client = createApiClient({ baseUrl: gateway.url });
    expect(client.getAccessToken()).toBeNull();
    await expect(client.refresh()).resolves.toBe(true);
    expect(client.getAccessToken()).toBe('token-1');
    await expect(client.call('/api/v1/me')).resolves.toEqual({ user: { id: 'u-1' } });
    expect(gateway.seen.at(-1)?.authorization).toBe('Bearer token-1');
    client.clearSession();
  });

  it('on a 401 refreshes once for all concurrent requests and retries each with the new token', async () => {
    const client = createApiClient({ baseUrl: gateway.url });
    client.setSession({ accessToken: 'stale', expiresIn: 900 });
    const answers = await Promise.all([client.call('/api/v1/me'), client.call('/api/v1/me'), client.call('/api/v1/me')]);
    expect(answers).toHaveLength(3);
    expect(gateway.refreshes).toBe(1);
    expect(client.getAccessToken()).toBe('token-1');
    const retried = gateway.seen.filter((entry) => entry.path === '/api/v1/me' && entry.authorization === 'Bearer token-1');
    expect(retried).toHaveLength(3);
    client.clearSession();
  });

  it('fetches a file with the token, refreshing on a 401, and names the failure of one it may not read', async () => {
    const client = createApiClient({ baseUrl: gateway.url });
    client.setSession({ accessToken: 'stale', expiresIn: 900 });
    const file = await client.blob('/api/v1/attachments/a-1');
    expect(await file.text()).toBe('E-204 paper path');
    expect(gateway.refreshes).toBe(1);
    const missing = (await client.blob('/api/v1/attachments/gone').catch((error: unknown) => error)) as ApiError;
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing.status).toBe(404);
    expect(missing.message).toBe('Ticket not found');
    client.clearSession();
  });

  it('ends the session when the refresh is refused, and tells the app once', async () => {
    const client = createApiClient({ baseUrl: gateway.url });
    let ended = 0;
    client.onSessionEnded(() => (ended += 1));
    client.setSession({ accessToken: 'stale', expiresIn: 900 });
    gateway.refreshStatus = 401;
    const failure = await client.call('/api/v1/me').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(401);
    expect(client.getAccessToken()).toBeNull();
    expect(ended).toBe(1);
  });

  it('does not refresh for anonymous endpoints, and reads Retry-After on a 429', async () => {
    const client = createApiClient({ baseUrl: gateway.url });
    const failure = (await client.call('/api/v1/auth/login', { method: 'POST', body: { email: 'a@b.c', password: 'x' }, authenticated: false }).catch((error: unknown) => error)) as ApiError;
    expect(failure.status).toBe(429);
    expect(failure.retryAfterSeconds).toBe(42);
    expect(failure.requestId).toBe('r-4');
    expect(gateway.refreshes).toBe(0);
  });

  it('maps validation messages to their fields and keeps the rest', async () => {
    const client = createApiClient({ baseUrl: gateway.url });
    const failure = (await client.call('/api/v1/tickets', { method: 'POST', body: {}, authenticated: false }).catch((error: unknown) => error)) as ApiError;
    expect(failure.fieldErrors(['subject', 'priority', 'description'])).toEqual({
      byField: { subject: 'subject should not be empty', priority: 'priority must be one of low, normal' },
      rest: ['something else'],
    });
  });

  it('sends headers such as If-Match, answers 204 with no body, and reports an unreachable server as a network error', async () => {
    const client = createApiClient({ baseUrl: gateway.url });
    await client.call('/api/v1/elsewhere', { headers: { 'if-match': '"3"' }, authenticated: false }).catch(() => undefined);
    expect(gateway.seen.at(-1)?.ifMatch).toBe('"3"');
    await expect(client.call('/api/v1/auth/logout', { method: 'POST', body: {}, authenticated: false })).resolves.toBeUndefined();
    await gateway.stop();
    await expect(client.call('/api/v1/me', { authenticated: false })).rejects.toBeInstanceOf(NetworkError);
    await gateway.start();
  });
});
