import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebhookView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { WebhooksPage } from './WebhooksPage';

const BASE = '/api/v1/webhooks';
const URL_OF_HOOK = 'https://crm.example.com/hooks/helpdesk';

const webhook: WebhookView = {
  id: 'w1',
  url: URL_OF_HOOK,
  events: ['ticket.created'],
  description: null,
  orderedPerTicket: false,
  active: true,
  disabledAt: null,
  disabledReason: null,
  failingSince: null,
  lastDeliveryAt: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

/** The gateway's part: the list, and deletion (failing once when `failFirst`). */
function fakeGateway({ failFirst = false } = {}) {
  const requests: string[] = [];
  let hooks = [webhook];
  let failures = failFirst ? 1 : 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    requests.push(`${method} ${url}`);
    const { pathname } = new URL(url, 'http://console.test');
    if (method === 'GET' && pathname === BASE) return json(200, { items: hooks, nextCursor: null });
    if (method === 'DELETE' && pathname === `${BASE}/w1`) {
      if (failures-- > 0) return json(503, { statusCode: 503, error: 'Service Unavailable', message: 'The notification service is unavailable', requestId: 'r' });
      hooks = [];
      return new Response(null, { status: 204 });
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Webhook not found', requestId: 'r' });
  });
  return requests;
}

describe('webhooks page', () => {
  beforeEach(() => vi.unstubAllGlobals());
  afterEach(() => vi.unstubAllGlobals());

  it('deletes a webhook only after its confirmation, and keeps the dialog open when deleting fails', async () => {
    const requests = fakeGateway({ failFirst: true });
    const user = userEvent.setup();
    renderWithProviders(<WebhooksPage />);

    await user.click(await screen.findByRole('button', { name: `Delete webhook ${URL_OF_HOOK}` }));
    const dialog = await screen.findByRole('dialog', { name: `Delete webhook ${URL_OF_HOOK}` });
    expect(within(dialog).getByText(/and its delivery log\? This cannot be undone/)).toBeDefined();
    expect(requests.filter((request) => request.startsWith('DELETE'))).toEqual([]);

    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(requests.filter((request) => request.startsWith('DELETE'))).toHaveLength(1));
    expect(screen.getByRole('dialog', { name: `Delete webhook ${URL_OF_HOOK}` })).toBeDefined();

    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('No webhooks yet.')).toBeDefined();
    await waitFor(() => expect(screen.queryByRole('dialog', { name: `Delete webhook ${URL_OF_HOOK}` })).toBeNull());
  });
});
