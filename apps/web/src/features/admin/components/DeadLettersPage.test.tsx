import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeadLetterDetail, DeadLetterSummary } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { DeadLettersPage } from './DeadLettersPage';

const BASE = '/api/v1/admin/notifications/dead-letters';

const letter = (id: string, recipient: string, overrides: Partial<DeadLetterSummary> = {}): DeadLetterSummary => ({
  id,
  template: 'ticket-created',
  recipient,
  subject: `We received your request #${id}`,
  ticketId: `ticket-${id}`,
  attempts: 1,
  lastError: '550 Requested action not taken: mailbox unavailable',
  failedAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});

const invitationDetail: DeadLetterDetail = {
  ...letter('inv', 'ivy@example.com', { template: 'invitation', subject: 'You are invited to Acme', ticketId: null, attempts: 4, lastError: '421 Service not available' }),
  eventId: 'event-1',
  eventType: 'user.invited',
  messageId: '<m-1@helpdesk.test>',
  createdAt: '2026-12-01T09:59:00.000Z',
  errors: [
    { at: '2026-12-01T09:59:01.000Z', attempt: 1, error: '421 first' },
    { at: '2026-12-01T10:00:00.000Z', attempt: 4, error: '421 Service not available' },
  ],
  mail: { subject: 'You are invited to Acme', text: 'Accept the invitation: [single-use link withheld]', html: '<a href="[single-use link withheld]">Accept</a>' },
  redacted: true,
};

/** The gateway's part: the routes this page calls, each request recorded. */
function fakeGateway(items: DeadLetterSummary[]) {
  const requests: Array<{ method: string; path: string; body?: unknown }> = [];
  let dead = [...items];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = init.body ? (JSON.parse(init.body as string) as { deliveryIds?: string[] }) : undefined;
    const path = url.split('?')[0]!;
    requests.push({ method, path, body });
    if (method === 'GET' && path === BASE) return json(200, { items: dead, nextCursor: null });
    if (method === 'GET' && path === `${BASE}/inv`) return json(200, invitationDetail);
    if (method === 'POST' && path === `${BASE}/replay`) {
      const replayed = dead.filter((item) => !body?.deliveryIds || body.deliveryIds.includes(item.id)).map((item) => item.id);
      dead = dead.filter((item) => !replayed.includes(item.id));
      return json(200, { deliveryIds: replayed });
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Dead delivery not found', requestId: 'r' });
  });
  return requests;
}

describe('dead letters page', () => {
  beforeEach(() => vi.unstubAllGlobals());
  afterEach(() => vi.unstubAllGlobals());

  it('says so when nothing is dead, and offers nothing to replay', async () => {
    fakeGateway([]);
    renderWithProviders(<DeadLettersPage />);

    expect(await screen.findByText(/No dead letters/)).toBeDefined();
    expect(screen.getByRole('button', { name: 'Replay all' }).hasAttribute('disabled')).toBe(true);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('lists dead mails, inspects one in a drawer with its errors and the redacted mail, and replays it from there', async () => {
    const requests = fakeGateway([letter('inv', 'ivy@example.com', { template: 'invitation', subject: 'You are invited to Acme' }), letter('t1', 'carla@example.com')]);
    const user = userEvent.setup();
    renderWithProviders(<DeadLettersPage />);

    const table = await screen.findByRole('table');
    expect(within(table).getByText('carla@example.com')).toBeDefined();
    await user.click(screen.getByRole('button', { name: 'Inspect the mail to ivy@example.com' }));

    const drawer = await screen.findByRole('dialog', { name: 'Dead letter' });
    expect(await within(drawer).findByText(/Secrets are hidden/)).toBeDefined();
    expect(within(drawer).getByText('421 first')).toBeDefined();
    expect(within(drawer).getByText('Accept the invitation: [single-use link withheld]')).toBeDefined();
    await user.click(within(drawer).getByRole('button', { name: 'Replay the mail to ivy@example.com' }));

    expect(await screen.findByRole('status')).toHaveProperty('textContent', '1 delivery queued again');
    expect(requests.find((request) => request.method === 'POST')).toEqual({ method: 'POST', path: `${BASE}/replay`, body: { deliveryIds: ['inv'] } });
    await waitFor(() => expect(screen.queryByText('ivy@example.com')).toBeNull());
  });

  it('replays the selected rows, then all the rest, and shows each result', async () => {
    const requests = fakeGateway([letter('a', 'a@example.com'), letter('b', 'b@example.com'), letter('c', 'c@example.com')]);
    const user = userEvent.setup();
    renderWithProviders(<DeadLettersPage />);

    await user.click(await screen.findByRole('checkbox', { name: 'Select the mail to a@example.com' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select the mail to c@example.com' }));
    await user.click(screen.getByRole('button', { name: 'Replay selected (2)' }));

    expect(await screen.findByText('2 deliveries queued again')).toBeDefined();
    await waitFor(() => expect(screen.queryByText('a@example.com')).toBeNull());
    expect(screen.getByRole('button', { name: 'Replay selected (0)' }).hasAttribute('disabled')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Replay all' }));

    expect(await screen.findByText('1 delivery queued again')).toBeDefined();
    expect(requests.filter((request) => request.method === 'POST').map((request) => request.body)).toEqual([{ deliveryIds: ['a', 'c'] }, {}]);
    expect(await screen.findByText(/No dead letters/)).toBeDefined();
  });
});
