import { API_TOKEN_SCOPES, type ApiTokenScope, type CreatedApiTokenView } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_SCOPE_EXTENSION } from '../auth/api-token-scopes.js';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';

type Operation = { security?: unknown[]; [REQUIRED_SCOPE_EXTENSION]?: ApiTokenScope };
interface Route {
  method: string;
  path: string;
  scope: ApiTokenScope | undefined;
  public: boolean;
}

const API_BASE = '/api/v1';
/**
 * Public routes that authenticate by other means (the mailbox's own token, the rating link's token): an
 * API token is no credential there, and each answers what it answers anyone (random ids in the path).
 */
const PUBLIC_NON_SESSION_ROUTES: Record<string, number> = {
  'POST /api/v1/inbound/email/{mailboxId}': 401,
  'GET /api/v1/satisfaction/{token}': 400,
  'PUT /api/v1/satisfaction/{token}': 400,
};
const SCOPE_TABLE_ROW = /^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)` \| (`[a-z:]+`|none) \|$/;

/**
 * Walks every route of the OpenAPI document with a token of each scope (its creator an admin, so
 * roles never stand in the way): a route answers 403 naming its scope exactly when the token lacks
 * it, routes without a scope refuse every token, and docs/api.md lists each route's scope.
 */
describe('API token scopes on every route', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let routes: Route[];
  const tokens = new Map<ApiTokenScope, string>();

  beforeAll(async () => {
    gateway = await GatewayHarness.start('api-token-scopes');
    admin = await gateway.signup('Scopes Desk');
    for (const scope of API_TOKEN_SCOPES) {
      const response = await gateway.call('/api-tokens', { token: admin.accessToken, body: { name: scope, scopes: [scope] } });
      tokens.set(scope, ((await response.json()) as CreatedApiTokenView).token);
    }
    const document = (await (await fetch(`${gateway.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    routes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith(API_BASE))
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({ method: method.toUpperCase(), path, scope: operation[REQUIRED_SCOPE_EXTENSION], public: !operation.security })),
      );
  });

  afterAll(() => gateway?.stop());

  const call = (route: Route, token: string) =>
    fetch(`${gateway.url}${route.path.replace(/\{[^}]+\}/g, () => randomUUID())}`, {
      method: route.method,
      headers: { authorization: `Bearer ${token}`, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
      body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
    });

  it('declares a scope on every route but the session routes and the mailbox way in', () => {
    const unscoped = routes.filter((route) => !route.scope).map((route) => `${route.method} ${route.path}`);
    const sessionRoutes = unscoped.filter((route) => / \/api\/v1\/(auth|me)(\/|$)/.test(route));
    expect(routes.length).toBeGreaterThan(90);
    expect(unscoped.filter((route) => !sessionRoutes.includes(route)).sort()).toEqual(Object.keys(PUBLIC_NON_SESSION_ROUTES).sort());
  });

  it('answers 403 naming the scope exactly when the token lacks it, and never 2xx to a token without it', async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      for (const [scope, token] of tokens) {
        const response = await call(route, token);
        const body = (await response.json().catch(() => ({}))) as { message?: unknown };
        const refusedForScope = response.status === 403 && typeof body.message === 'string' && body.message.includes('lacks the scope');
        const label = `${route.method} ${route.path} with ${scope}: ${response.status} ${JSON.stringify(body.message)}`;
        if (!route.scope) {
          const refused = response.status === (PUBLIC_NON_SESSION_ROUTES[`${route.method} ${route.path}`] ?? 403);
          if (!refused) mismatches.push(label);
        } else if (scope === route.scope) {
          if (refusedForScope || response.status === 401) mismatches.push(label);
        } else if (!refusedForScope || !(body.message as string).includes(route.scope)) mismatches.push(label);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('lists every route with its scope in docs/api.md', async () => {
    const documented = (await readFile(new URL('../../../../docs/api.md', import.meta.url), 'utf8'))
      .split('\n')
      .map((line) => SCOPE_TABLE_ROW.exec(line))
      .filter((match) => match !== null)
      .map((match) => `${match[1]} ${match[2]} ${match[3].replaceAll('`', '')}`)
      .sort();
    expect(documented).toEqual(routes.map((route) => `${route.method} ${route.path.slice(API_BASE.length) || '/'} ${route.scope ?? 'none'}`).sort());
  });
});
