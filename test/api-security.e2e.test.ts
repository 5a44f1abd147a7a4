import { ApiStack, STACK_SECRET_KEY, XSS_PAYLOADS } from '@helpdesk/testing';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The security properties of the REST API, checked from outside as a client would (DESIGN sections 6 and 8). */
describe('REST API security', () => {
  let api: ApiStack;
  let acme: Awaited<ReturnType<ApiStack['signup']>>;
  let globex: Awaited<ReturnType<ApiStack['signup']>>;
  let agent: Awaited<ReturnType<ApiStack['addUser']>>;
  let alice: Awaited<ReturnType<ApiStack['addUser']>>;
  let bob: Awaited<ReturnType<ApiStack['addUser']>>;
  let acmeTicket: { id: string; version: number };
  let alicesTicket: { id: string };

  beforeAll(async () => {
    api = await ApiStack.start('api-security', { aiProxy: true, env: { CORS_ALLOWED_ORIGINS: 'https://console.example.com', CSRF_TRUSTED_ORIGINS: 'https://console.example.com' } });
    acme = await api.signup('Acme Support');
    globex = await api.signup('Globex Helpdesk');
    agent = await api.addUser(acme.token, 'agent');
    alice = await api.addUser(acme.token, 'customer');
    bob = await api.addUser(acme.token, 'customer');
    acmeTicket = (await api.request('POST', '/api/v1/tickets', { token: agent.token, body: { subject: 'Server room too warm', description: '<p>28°C</p>' } })).body;
    alicesTicket = (await api.request('POST', '/api/v1/tickets', { token: alice.token, body: { subject: 'My order is late', description: 'Order 1234' } })).body;
    await api.request('POST', `/api/v1/tickets/${alicesTicket.id}/comments`, { token: agent.token, body: { body: 'VIP customer, be nice', internal: true } });
    await api.request('POST', `/api/v1/tickets/${alicesTicket.id}/comments`, { token: agent.token, body: { body: 'It ships tomorrow' } });
  }, 120_000);

  afterAll(() => api?.stop());

  describe("another organization's admin gets 404 for every resource", () => {
    it.each([
      ['GET', () => `/api/v1/tickets/${acmeTicket.id}`, undefined],
      ['PATCH', () => `/api/v1/tickets/${acmeTicket.id}`, { status: 'solved' }],
      ['GET', () => `/api/v1/tickets/${acmeTicket.id}/comments`, undefined],
      ['POST', () => `/api/v1/tickets/${acmeTicket.id}/comments`, { body: 'hello' }],
      ['GET', () => `/api/v1/tickets/${acmeTicket.id}/events`, undefined],
      ['POST', () => `/api/v1/tickets/${acmeTicket.id}/ai/summary`, undefined],
      ['POST', () => `/api/v1/tickets/${acmeTicket.id}/ai/suggest-reply`, undefined],
      ['GET', () => `/api/v1/users/${agent.userId}`, undefined],
      ['PATCH', () => `/api/v1/users/${agent.userId}`, { name: 'Pwned' }],
      ['DELETE', () => `/api/v1/users/${agent.userId}`, undefined],
    ] as const)('%s %s', async (method, path, body) => {
      const response = await api.request(method, path(), { token: globex.token, body });
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: expect.any(String) });
    });

    it("never lists another organization's tickets or users", async () => {
      const tickets = await api.request('GET', '/api/v1/tickets?limit=100', { token: globex.token });
      expect(tickets.body.items.map((item: { id: string }) => item.id)).not.toContain(acmeTicket.id);
      const users = await api.request('GET', '/api/v1/users?limit=100', { token: globex.token });
      expect(users.body.items.map((item: { id: string }) => item.id)).not.toContain(agent.userId);
    });

    it('cannot touch their teams or SLA policies', async () => {
      const team = await api.request('POST', '/api/v1/teams', { token: acme.token, body: { name: 'Tier 2' } });
      expect(team.status).toBe(201);
      expect((await api.request('PATCH', `/api/v1/teams/${team.body.id}`, { token: globex.token, body: { name: 'Mine' } })).status).toBe(404);
      expect((await api.request('DELETE', `/api/v1/teams/${team.body.id}`, { token: globex.token })).status).toBe(404);
      const policies = await api.request('GET', '/api/v1/sla-policies', { token: acme.token });
      const policyId = policies.body.items[0].id as string;
      expect((await api.request('PATCH', `/api/v1/sla-policies/${policyId}`, { token: globex.token, body: { name: 'Lax' } })).status).toBe(404);
      expect((await api.request('DELETE', `/api/v1/sla-policies/${policyId}`, { token: globex.token })).status).toBe(404);
    });
  });

  describe('AI assistance', () => {
    it('is for staff: customers get 403 even on their own ticket', async () => {
      for (const path of ['summary', 'suggest-reply']) {
        const response = await api.request('POST', `/api/v1/tickets/${alicesTicket.id}/ai/${path}`, { token: alice.token });
        expect(response.status).toBe(403);
      }
    });

    it('answers agents, and a reply draft never quotes an internal note', async () => {
      const summary = await api.request('POST', `/api/v1/tickets/${alicesTicket.id}/ai/summary`, { token: agent.token });
      expect(summary.status).toBe(200);
      expect(summary.body.summary).toEqual(expect.any(String));
      const draft = await api.request('POST', `/api/v1/tickets/${alicesTicket.id}/ai/suggest-reply`, { token: agent.token });
      expect(draft.status).toBe(200);
      expect(draft.body.reply).toEqual(expect.any(String));
      expect(draft.text).not.toContain('VIP');
    });
  });

  describe('customers', () => {
    it("see only their own tickets and never another customer's", async () => {
      const mine = await api.request('GET', '/api/v1/tickets', { token: alice.token });
      expect(mine.body.items.map((item: { id: string }) => item.id)).toEqual([alicesTicket.id]);
      expect((await api.request('GET', `/api/v1/tickets/${alicesTicket.id}`, { token: bob.token })).status).toBe(404);
      expect((await api.request('GET', `/api/v1/tickets/${acmeTicket.id}`, { token: alice.token })).status).toBe(404);
    });

    it('never see internal notes, and cannot write one', async () => {
      const comments = await api.request('GET', `/api/v1/tickets/${alicesTicket.id}/comments`, { token: alice.token });
      expect(comments.body.items.map((item: { body: string }) => item.body)).toEqual(['It ships tomorrow']);
      expect(comments.text).not.toContain('VIP');
      const internal = await api.request('POST', `/api/v1/tickets/${alicesTicket.id}/comments`, { token: alice.token, body: { body: 'psst', internal: true } });
      expect(internal.status).toBe(403);
    });

    it('cannot change tickets, read history or administer anything', async () => {
      expect((await api.request('PATCH', `/api/v1/tickets/${alicesTicket.id}`, { token: alice.token, body: { priority: 'urgent' } })).status).toBe(403);
      expect((await api.request('GET', `/api/v1/tickets/${alicesTicket.id}/events`, { token: alice.token })).status).toBe(403);
      expect((await api.request('GET', '/api/v1/users', { token: alice.token })).status).toBe(403);
      expect((await api.request('GET', `/api/v1/users?ids=${agent.userId}`, { token: alice.token })).status).toBe(403);
      expect((await api.request('GET', '/api/v1/organization', { token: alice.token })).status).toBe(403);
    });

    it("name the staff who answer them, and learn nothing else about the organization's users", async () => {
      const staff = await api.request('GET', `/api/v1/users/${agent.userId}`, { token: alice.token });
      expect(staff.status).toBe(200);
      expect(Object.keys(staff.body).sort()).toEqual(['id', 'name', 'role']);
      expect((await api.request('GET', `/api/v1/users/${bob.userId}`, { token: alice.token })).status).toBe(404);
    });
  });

  it('an agent reads the directory to assign colleagues, but cannot create admins or change roles', async () => {
    const directory = await api.request('GET', '/api/v1/users?role=admin,agent&active=true', { token: agent.token });
    expect(directory.status).toBe(200);
    expect(directory.body.items.map((item: { id: string }) => item.id)).toEqual(expect.arrayContaining([agent.userId]));
    expect(directory.text).not.toMatch(/password|hash|token/i);
    const invite = await api.request('POST', '/api/v1/users', { token: agent.token, body: { name: 'Evil', email: 'evil@example.com', role: 'admin', password: 'correct horse battery staple' } });
    expect(invite.status).toBe(403);
    expect((await api.request('PATCH', `/api/v1/users/${agent.userId}`, { token: agent.token, body: { role: 'admin' } })).status).toBe(403);
  });

  describe('tokens', () => {
    const claims = () => ({ sub: acme.userId, org: acme.orgId, role: 'admin', iss: 'helpdesk', aud: 'helpdesk-api' });

    it.each([
      ['signed with another secret', () => jwt.sign(claims(), 'not-the-secret-key-not-the-secret-key', { algorithm: 'HS256', expiresIn: 600 })],
      ['expired', () => jwt.sign({ ...claims(), exp: Math.floor(Date.now() / 1000) - 60 }, STACK_SECRET_KEY, { algorithm: 'HS256' })],
      ['with alg none', () => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims(), exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.`],
      ['for another audience', () => jwt.sign({ ...claims(), aud: 'someone-else' }, STACK_SECRET_KEY, { algorithm: 'HS256', expiresIn: 600 })],
      ['malformed', () => 'not.a.token'],
    ])('a token %s is refused with 401', async (_name, forge) => {
      const response = await api.request('GET', '/api/v1/tickets', { token: forge() });
      expect(response.status).toBe(401);
    });

    it('reusing a rotated refresh token ends the whole session', async () => {
      const session = await api.addUser(acme.token, 'agent');
      const login = await api.request('POST', '/api/v1/auth/login', { body: { email: session.email, password: 'correct horse battery staple' } });
      const first = login.body.refreshToken as string;
      const rotated = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first } });
      expect(rotated.status).toBe(200);
      expect((await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first } })).status).toBe(401);
      expect((await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } })).status).toBe(401);
    });
  });

  describe('no account enumeration', () => {
    it('login failures look the same for unknown emails and wrong passwords', async () => {
      const unknown = await api.request('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever-password' } });
      const wrong = await api.request('POST', '/api/v1/auth/login', { body: { email: acme.email, password: 'whatever-password' } });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body.message).toBe(wrong.body.message);
    });

    it('password reset answers 202 with the same body either way', async () => {
      const unknown = await api.request('POST', '/api/v1/auth/password-reset', { body: { email: 'nobody@example.com' } });
      const known = await api.request('POST', '/api/v1/auth/password-reset', { body: { email: acme.email } });
      expect(unknown.status).toBe(202);
      expect(known.status).toBe(202);
      expect(unknown.body).toEqual(known.body);
    });
  });

  describe('input', () => {
    it.each(XSS_PAYLOADS.slice(0, 40).map((payload) => [payload]))('neutralizes %s in every text field', async (payload) => {
      const ticket = await api.request('POST', '/api/v1/tickets', { token: agent.token, body: { subject: `x ${payload}`.slice(0, 250), description: payload, tags: ['t'] } });
      if (ticket.status === 201) {
        expect(ticket.text).not.toMatch(/<script|onerror=|onload=|javascript:/i);
      } else {
        expect(ticket.status).toBe(400);
      }
    });

    it.each(["'; DROP TABLE helpdesk.tickets; --", "1' OR '1'='1", '"unbalanced (', '\\x00', 'a'.repeat(200)])('search and filters treat %s as plain data', async (text) => {
      const response = await api.request('GET', `/api/v1/tickets?q=${encodeURIComponent(text)}&tag=${encodeURIComponent(text.slice(0, 50))}`, { token: agent.token });
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([]);
    });

    it('keeps unicode intact and refuses what is too long', async () => {
      const unicode = await api.request('POST', '/api/v1/tickets', { token: agent.token, body: { subject: 'Drucker 🔥 kaputt — שלום', description: '<p>日本語</p>' } });
      expect(unicode.status).toBe(201);
      expect(unicode.body.subject).toBe('Drucker 🔥 kaputt — שלום');
      const long = await api.request('POST', '/api/v1/tickets', { token: agent.token, body: { subject: 'x'.repeat(251), description: 'y' } });
      expect(long.status).toBe(400);
      expect(long.body.message).toEqual([expect.stringMatching(/^subject must be shorter than or equal to 250 characters/)]);
    });

    it('answers malformed JSON, wrong types and unknown fields with 400 and an oversized body with 413', async () => {
      expect((await api.request('POST', '/api/v1/tickets', { token: agent.token, rawBody: '{"subject": ' })).status).toBe(400);
      const wrongTypes = await api.request('POST', '/api/v1/tickets', { token: agent.token, body: { subject: 42, description: ['x'], priority: 'whenever', isAdmin: true } });
      expect(wrongTypes.status).toBe(400);
      expect(wrongTypes.body.message).toEqual(expect.arrayContaining(['property isAdmin should not exist', expect.stringMatching(/^priority must be one of/)]));
      // Refused from the Content-Length alone: the gateway never reads (or buffers) a body over the limit.
      const huge = await api.rawRequest('POST', '/api/v1/tickets', { headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, declaredLength: 2_000_000 });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });

    it('refuses a stale If-Match with 409 and the current version', async () => {
      const stale = await api.request('PATCH', `/api/v1/tickets/${acmeTicket.id}`, { token: agent.token, headers: { 'if-match': '"999"' }, body: { status: 'open' } });
      expect(stale.status).toBe(409);
      expect(stale.body.details).toEqual({ currentVersion: acmeTicket.version });
    });
  });

  describe('browsers', () => {
    it('get CORS only for the allowed origins', async () => {
      const allowed = await api.request('OPTIONS', '/api/v1/tickets', { headers: { origin: 'https://console.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      const foreign = await api.request('OPTIONS', '/api/v1/tickets', { headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('refresh with the httpOnly cookie only from a trusted origin', async () => {
      const user = await api.addUser(acme.token, 'agent');
      const login = await api.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'correct horse battery staple' } });
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^helpdesk_refresh=[^;]+;.*HttpOnly/i);
      expect(cookie).toMatch(/Secure/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      const jar = cookie.split(';')[0]!;
      expect((await api.request('POST', '/api/v1/auth/refresh', { body: {}, headers: { cookie: jar, origin: 'https://evil.example.com' } })).status).toBe(403);
      expect((await api.request('POST', '/api/v1/auth/refresh', { body: {}, headers: { cookie: jar } })).status).toBe(403);
      const trusted = await api.request('POST', '/api/v1/auth/refresh', { body: {}, headers: { cookie: jar, origin: 'https://console.example.com' } });
      expect(trusted.status).toBe(200);
      expect(trusted.body.accessToken).toEqual(expect.any(String));
    });
  });

  describe('caching and compression', () => {
    it('answers a repeated GET with 304 when the ETag still matches, and 200 after a change', async () => {
      const first = await api.request('GET', `/api/v1/tickets/${acmeTicket.id}`, { token: agent.token });
      const etag = first.headers.get('etag')!;
      expect(first.headers.get('cache-control')).toBe('private, no-cache');
      expect((await api.request('GET', `/api/v1/tickets/${acmeTicket.id}`, { token: agent.token, headers: { 'if-none-match': etag } })).status).toBe(304);
      const updated = await api.request('PATCH', `/api/v1/tickets/${acmeTicket.id}`, { token: agent.token, headers: { 'if-match': etag }, body: { tags: ['hvac'] } });
      expect(updated.status).toBe(200);
      acmeTicket.version = updated.body.version;
      expect((await api.request('GET', `/api/v1/tickets/${acmeTicket.id}`, { token: agent.token, headers: { 'if-none-match': etag } })).status).toBe(200);
    });

    it('compresses responses over 1 KB for clients that accept it', async () => {
      const response = await fetch(`${api.url}/api/v1/tickets?limit=50`, { headers: { authorization: `Bearer ${agent.token}`, 'accept-encoding': 'gzip' } });
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(((await response.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    });
  });

  describe('every response', () => {
    it.each([
      ['GET', '/api/v1/tickets', true],
      ['GET', '/api/v1/nope', true],
      ['POST', '/api/v1/auth/login', false],
      ['GET', '/health/ready', false],
    ])('%s %s carries the security headers and no stack trace', async (method, path, authenticated) => {
      const response = await api.request(method, path, { token: authenticated ? agent.token : undefined, body: method === 'POST' ? { email: 'x' } : undefined });
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    });

    it('refuses an unknown Host in production, but not on probes', async () => {
      const foreign = await api.rawRequest('GET', '/api/v1/tickets', { headers: { host: 'evil.example.com' } });
      expect(foreign.status).toBe(400);
      expect(foreign.body.message).toBe('Host not allowed');
      expect((await api.rawRequest('GET', '/health/live', { headers: { host: '10.1.2.3:8080' } })).status).toBe(200);
    });
  });
});

describe('the OpenAPI document', () => {
  let api: ApiStack;

  beforeAll(async () => {
    api = await ApiStack.start('api-docs');
  }, 120_000);

  afterAll(() => api?.stop());

  it('describes every endpoint of DESIGN section 6 with its body, query and error responses', async () => {
    const { status, body: document } = await api.request('GET', '/api/docs-json');
    expect(status).toBe(200);
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/signup',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/refresh',
        'POST /api/v1/auth/logout',
        'POST /api/v1/auth/password-reset',
        'POST /api/v1/auth/password-reset/confirm',
        'GET /api/v1/me',
        'POST /api/v1/me/password',
        'GET /api/v1/users',
        'POST /api/v1/users',
        'GET /api/v1/users/{id}',
        'PATCH /api/v1/users/{id}',
        'DELETE /api/v1/users/{id}',
        'GET /api/v1/teams',
        'PUT /api/v1/teams/{id}/members',
        'GET /api/v1/organization',
        'PUT /api/v1/organization',
        'GET /api/v1/sla-policies',
        'POST /api/v1/tickets',
        'GET /api/v1/tickets',
        'GET /api/v1/tickets/{id}',
        'PATCH /api/v1/tickets/{id}',
        'GET /api/v1/tickets/{id}/comments',
        'POST /api/v1/tickets/{id}/comments',
        'GET /api/v1/tickets/{id}/events',
      ]),
    );
    expect(document.components.schemas.CreateTicketBody).toMatchObject({
      required: ['subject', 'description'],
      properties: { subject: { type: 'string', maxLength: 250 }, priority: { enum: ['low', 'normal', 'high', 'urgent'] } },
    });
    const list = document.paths['/api/v1/tickets'].get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(expect.arrayContaining(['status', 'priority', 'assigneeId', 'teamId', 'tag', 'requesterId', 'breached', 'number', 'q', 'sort', 'limit', 'cursor']));
    expect(list.responses['401'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorResponse');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves Swagger UI under a CSP that lets only its own scripts run', async () => {
    const page = await api.request('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('the failed-login limit shared by two gateway replicas', () => {
  let api: ApiStack;

  beforeAll(async () => {
    api = await ApiStack.start('login-limit', { gateways: 2 });
  }, 120_000);

  afterAll(() => api?.stop());

  it('counts failures on both replicas and answers 429 with Retry-After on either', async () => {
    const { email } = await api.signup('Limit Desk');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const failure = await api.request('POST', '/api/v1/auth/login', { gateway: attempt % 2, body: { email, password: 'wrong password guess' } });
      expect(failure.status).toBe(401);
    }
    for (const gateway of [0, 1]) {
      const limited = await api.request('POST', '/api/v1/auth/login', { gateway, body: { email, password: 'correct horse battery staple' } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const otherAccount = await api.request('POST', '/api/v1/auth/login', { body: { email: 'someone-else@example.com', password: 'wrong password guess' } });
    expect(otherAccount.status).toBe(401);
  });
});
