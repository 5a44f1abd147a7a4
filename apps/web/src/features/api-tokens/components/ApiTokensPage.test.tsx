import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiTokenView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { ApiTokensPage } from './ApiTokensPage';

const BASE = '/api/v1/api-tokens';

const token = (id: string, name: string): ApiTokenView => ({
  id,
  name,
  scopes: ['tickets:read'],
  prefix: `hdp_${id.padEnd(6, 'x')}`,
  createdAt: '2026-12-01T10:00:00.000Z',
  createdBy: 'admin-1',
  expiresAt: null,
  lastUsedAt: null,
});

/** The gateway's part: pages of two tokens (the cursor is the index of the next one), and revocation. */
function fakeGateway(initial: ApiTokenView[]) {
  const requests: string[] = [];
  let live = [...initial];
  const json = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    requests.push(`${method} ${url}`);
    const { pathname, searchParams } = new URL(url, 'http://console.test');
    if (method === 'GET' && pathname === BASE) {
      const from = Number(searchParams.get('cursor') ?? 0);
      return json(200, { items: live.slice(from, from + 2), nextCursor: from + 2 < live.length ? String(from + 2) : null });
    }
    if (method === 'DELETE' && pathname.startsWith(`${BASE}/`)) {
      live = live.filter((item) => item.id !== pathname.slice(BASE.length + 1));
      return new Response(null, { status: 204 });
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'API token not found', requestId: 'r' });
  });
  return requests;
}

describe('API tokens page', () => {
  beforeEach(() => vi.unstubAllGlobals());
  afterEach(() => vi.unstubAllGlobals());

  it('shows the first page of tokens and the next one on Load more, until there is no more', async () => {
    const requests = fakeGateway([token('t3', 'Nightly sync'), token('t2', 'Reporting'), token('t1', 'Oldest script')]);
    const user = userEvent.setup();
    renderWithProviders(<ApiTokensPage />);

    const table = await screen.findByRole('table', { name: 'API tokens' });
    expect(within(table).getByText('Nightly sync')).toBeDefined();
    expect(within(table).getByText('Reporting')).toBeDefined();
    expect(within(table).queryByText('Oldest script')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await within(table).findByText('Oldest script')).toBeDefined();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(requests).toEqual([`GET ${BASE}?limit=50`, `GET ${BASE}?limit=50&cursor=2`]);
  });

  it('revokes a token only once the confirmation is accepted', async () => {
    const requests = fakeGateway([token('t1', 'Nightly sync')]);
    const user = userEvent.setup();
    renderWithProviders(<ApiTokensPage />);

    await user.click(await screen.findByRole('button', { name: 'Revoke Nightly sync' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke Nightly sync' });
    expect(within(dialog).getByText(/Scripts using it are refused from their next request/)).toBeDefined();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests.filter((request) => request.startsWith('DELETE'))).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Revoke Nightly sync' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Revoke Nightly sync' })).getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('No API tokens yet.')).toBeDefined();
    await waitFor(() => expect(requests).toContain(`DELETE ${BASE}/t1`));
  });
});
