import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { UsersPage } from '../../admin/components/UsersPage';
import { RequesterBounce } from './BouncingAddress';

const user = (id: string, name: string, bouncingSince: string | null): UserView => ({
  id,
  organizationId: 'org-1',
  email: `${id}@example.com`,
  name,
  role: 'customer',
  active: true,
  invitationPendingSince: null,
  bouncingSince,
  capacity: null, availability: 'online', availabilitySetting: 'online',
});

/** GET /users and GET /users/:id answer these users; POST /users/:id/clear-bounce clears the mark, as the API does. */
function fakeGateway(users: UserView[]) {
  const cleared: string[] = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const path = url.split('?')[0]!;
    const clear = /^\/api\/v1\/users\/([^/]+)\/clear-bounce$/.exec(path);
    if (clear && init.method === 'POST') {
      cleared.push(clear[1]!);
      const target = users.find((candidate) => candidate.id === clear[1])!;
      target.bouncingSince = null;
      return json(200, target);
    }
    const one = /^\/api\/v1\/users\/([^/]+)$/.exec(path);
    if (one) return json(200, users.find((candidate) => candidate.id === one[1]));
    if (path === '/api/v1/users') return json(200, { items: users, nextCursor: null });
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found', requestId: 'r' });
  });
  return cleared;
}

describe('bouncing addresses in the console', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('marks a bouncing user on the users page and clears the mark', async () => {
    const cleared = fakeGateway([user('bea', 'Bea Bounced', '2026-12-04T09:00:00.000Z'), user('wim', 'Wim Working', null)]);
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <UsersPage />
      </>,
    );

    const beaRow = (await screen.findByText('Bea Bounced')).closest('tr')!;
    expect(within(beaRow).getByText('Mail bounces')).toBeDefined();
    expect(within(screen.getByText('Wim Working').closest('tr')!).queryByText('Mail bounces')).toBeNull();
    await person.click(within(beaRow).getByRole('button', { name: 'Clear bounce for Bea Bounced' }));

    expect(await screen.findByText('Mail will be sent to bea@example.com again.')).toBeDefined();
    expect(cleared).toEqual(['bea']);
    await vi.waitFor(() => expect(within(screen.getByText('Bea Bounced').closest('tr')!).queryByText('Mail bounces')).toBeNull());
  });

  it("shows the requester's mark on the ticket page, and nothing for a working address", async () => {
    fakeGateway([user('bea', 'Bea Bounced', '2026-12-04T09:00:00.000Z'), user('wim', 'Wim Working', null)]);
    renderWithProviders(
      <>
        <RequesterBounce userId="bea" />
        <RequesterBounce userId="wim" />
      </>,
    );

    expect(await screen.findByText('Mail bounces')).toBeDefined();
    expect(screen.getAllByText('Mail bounces')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Clear bounce for Bea Bounced' })).toBeDefined();
  });
});
