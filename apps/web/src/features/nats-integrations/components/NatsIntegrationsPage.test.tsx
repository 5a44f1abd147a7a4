import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NatsIntegrationView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { NatsIntegrationsPage } from './NatsIntegrationsPage';

const BASE = '/api/v1/integrations/nats';

const integration = (id: string, name: string): NatsIntegrationView => ({
  id,
  name,
  natsUser: `U${id.toUpperCase().padEnd(55, 'A')}`,
  createdAt: '2026-12-01T10:00:00.000Z',
  createdBy: 'admin-1',
  lastUsedAt: null,
});

/** The gateway's part: pages of two integrations (the cursor is the index of the next one), and revocation. */
function fakeGateway(initial: NatsIntegrationView[]) {
  const requests: string[] = [];
  let live = [...initial];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
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
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Integration not found', requestId: 'r' });
  });
  return requests;
}

describe('NATS integrations page', () => {
  beforeEach(() => vi.unstubAllGlobals());
  afterEach(() => vi.unstubAllGlobals());

  it('shows the first page of integrations and the next one on Load more, until there is no more', async () => {
    const requests = fakeGateway([integration('i3', 'Billing system'), integration('i2', 'CRM'), integration('i1', 'On-call bot')]);
    const user = userEvent.setup();
    renderWithProviders(<NatsIntegrationsPage />);

    const table = await screen.findByRole('table', { name: 'Integrations (NATS)' });
    expect(within(table).getByText('Billing system')).toBeDefined();
    expect(within(table).getByText('CRM')).toBeDefined();
    expect(within(table).queryByText('On-call bot')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await within(table).findByText('On-call bot')).toBeDefined();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(requests).toEqual([`GET ${BASE}?limit=50`, `GET ${BASE}?limit=50&cursor=2`]);
  });

  it('revokes an integration once the confirmation is accepted', async () => {
    const requests = fakeGateway([integration('i1', 'Billing system')]);
    const user = userEvent.setup();
    renderWithProviders(<NatsIntegrationsPage />);

    await user.click(await screen.findByRole('button', { name: 'Revoke Billing system' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke Billing system' });
    expect(within(dialog).getByText(/Its connections are closed/)).toBeDefined();
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('No NATS integrations yet.')).toBeDefined();
    await waitFor(() => expect(requests).toContain(`DELETE ${BASE}/i1`));
  });
});
