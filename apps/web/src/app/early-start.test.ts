// @vitest-environment node
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { meQuery } from '../features/auth/hooks/me-query';
import { apiQueryFromFilters, filtersFromSearch } from '../features/tickets/hooks/queue-filters';
import { ticketListQuery } from '../features/tickets/hooks/ticket-list-query';
import { api } from '../lib/api';
import { restoreSession, startEarly, takeQueryClient } from './early-start';

const ME = { user: { id: 'u-1', name: 'Alan Agent', role: 'agent' }, organization: { id: 'o-1', name: 'Acme' } };
const PAGE = { items: [{ id: 't-1', number: 1, subject: 'Printer' }], nextCursor: null };

/**
 * Plays the gateway: a refresh hands out a token, `/me` and the ticket list answer only with it. The
 * answers to `/me` and the list are held until both have arrived (or 1 s passed), so a test sees
 * whether they were asked together or one after the other.
 */
class FakeGateway {
  requests: Array<{ path: string; at: number; answered?: number }> = [];
  refreshStatus = 200;
  url = '';
  private server!: Server;
  private held: Array<() => void> = [];

  async start() {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset() {
    this.requests = [];
    this.refreshStatus = 200;
  }

  paths() {
    return this.requests.map((request) => request.path);
  }

  private async handle(request: IncomingMessage, response: ServerResponse) {
    for await (const _chunk of request) {
      // Drain the body.
    }
    const path = request.url ?? '';
    const entry: { path: string; at: number; answered?: number } = { path, at: performance.now() };
    this.requests.push(entry);
    const send = (status: number, body: unknown) => {
      entry.answered = performance.now();
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/api/v1/auth/refresh') {
      if (this.refreshStatus !== 200) return send(this.refreshStatus, { statusCode: this.refreshStatus, message: 'Session ended' });
      return send(200, { accessToken: 'token-1', expiresIn: 900 });
    }
    if (request.headers.authorization !== 'Bearer token-1') return send(401, { statusCode: 401, message: 'No token' });
    const answer = () => send(200, path === '/api/v1/me' ? ME : PAGE);
    // Hold `/me` and an unfiltered-by-me list until the other arrives.
    if (path === '/api/v1/me' || (path.startsWith('/api/v1/tickets?') && !path.includes('assigneeId'))) {
      this.held.push(answer);
      if (this.held.length === 2) for (const release of this.held.splice(0)) release();
      else setTimeout(() => this.held.splice(0).forEach((release) => release()), 1000);
      return;
    }
    return answer();
  }
}

describe('the early start', () => {
  const gateway = new FakeGateway();
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    await gateway.start();
    // The console calls same-origin paths; here the origin is the fake gateway.
    vi.stubGlobal('fetch', (input: string, init?: RequestInit) => realFetch(`${gateway.url}${input}`, init));
  });

  afterEach(() => {
    api.clearSession();
    gateway.reset();
  });

  afterAll(async () => {
    vi.unstubAllGlobals();
    await gateway.stop();
  });

  const listKey = (search: string) => ticketListQuery(apiQueryFromFilters(filtersFromSearch(new URLSearchParams(search)), ME.user.id)).queryKey;

  it('restores the session, then asks for /me and the queue page of the URL’s filters together, into the cache the app takes', async () => {
    const preload = vi.fn();
    startEarly({ pathname: '/tickets', search: '?status=open,pending&sort=-priority' }, preload);
    expect(preload).toHaveBeenCalledWith(true);
    expect(await restoreSession()).toBe(true);
    const queryClient = takeQueryClient();
    await vi.waitFor(() => expect(queryClient.getQueryData(listKey('status=open,pending&sort=-priority'))).toEqual({ pages: [PAGE], pageParams: [undefined] }), { timeout: 3000 });
    expect(queryClient.getQueryData(meQuery.queryKey)).toEqual(ME);
    expect(gateway.paths()).toEqual(['/api/v1/auth/refresh', '/api/v1/me', '/api/v1/tickets?status=open%2Cpending&sort=-priority&limit=50']);
    const [refresh, me, list] = gateway.requests;
    // Both asked once the refresh had answered, and each before the other was answered.
    expect(me!.at).toBeGreaterThanOrEqual(refresh!.answered!);
    expect(list!.at).toBeLessThan(me!.answered!);
    expect(me!.at).toBeLessThan(list!.answered!);
    // The session restore is the one started early: asking again sends no second refresh.
    expect(await restoreSession()).toBe(true);
    expect(gateway.paths().filter((path) => path.includes('refresh'))).toHaveLength(1);
  });

  it('waits for /me before the list when the filter is “assigned to me”', async () => {
    startEarly({ pathname: '/tickets', search: '?assignee=me' }, vi.fn());
    const queryClient = takeQueryClient();
    await vi.waitFor(() => expect(queryClient.getQueryData(listKey('assignee=me'))).toBeDefined(), { timeout: 3000 });
    const [, me, list] = gateway.requests;
    expect(list!.path).toBe('/api/v1/tickets?assigneeId=u-1&sort=-updatedAt&limit=50');
    expect(list!.at).toBeGreaterThanOrEqual(me!.answered!);
  });

  it('asks only for /me on another app page, and only restores the session on the login page', async () => {
    const preload = vi.fn();
    startEarly({ pathname: '/tickets/t-1', search: '' }, preload);
    expect(preload).toHaveBeenCalledWith(false);
    await vi.waitFor(() => expect(takeQueryClient().getQueryData(meQuery.queryKey)).toEqual(ME), { timeout: 3000 });
    expect(gateway.paths()).toEqual(['/api/v1/auth/refresh', '/api/v1/me']);

    gateway.reset();
    api.clearSession();
    const loginPreload = vi.fn();
    startEarly({ pathname: '/login', search: '?returnTo=%2Ftickets' }, loginPreload);
    expect(await restoreSession()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gateway.paths()).toEqual(['/api/v1/auth/refresh']);
    expect(loginPreload).not.toHaveBeenCalled();
  });

  it('asks for nothing more when the refresh cookie is refused', async () => {
    gateway.refreshStatus = 401;
    startEarly({ pathname: '/tickets', search: '' }, vi.fn());
    expect(await restoreSession()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gateway.paths()).toEqual(['/api/v1/auth/refresh']);
    expect(takeQueryClient().getQueryData(meQuery.queryKey)).toBeUndefined();
  });
});
