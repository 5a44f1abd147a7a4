import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { UsersPage } from './UsersPage';

const user = (id: string, name: string, invitationPendingSince: string | null, active = true, bouncingSince: string | null = null): UserView => ({
  id,
  organizationId: 'org-1',
  email: `${id}@example.com`,
  name,
  role: 'agent',
  active,
  invitationPendingSince,
  bouncingSince,
  capacity: null, availability: 'online', availabilitySetting: 'online',
});

/** GET /users answers these users; resending answers `resendStatus`. */
function fakeGateway(users: UserView[], resendStatus = 202) {
  const resends: string[] = [];
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const path = url.split('?')[0]!;
    const resend = /^\/api\/v1\/users\/([^/]+)\/resend-invitation$/.exec(path);
    if (resend && init.method === 'POST') {
      resends.push(resend[1]!);
      if (resendStatus === 429) return json(429, { statusCode: 429, error: 'Too Many Requests', message: 'Too many invitation mails to this user: try again in 3540 seconds', requestId: 'r' }, { 'retry-after': '3540' });
      return json(202, users.find((candidate) => candidate.id === resend[1]));
    }
    if (path === '/api/v1/users') return json(200, { items: users, nextCursor: null });
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found', requestId: 'r' });
  });
  return resends;
}

describe('users page: pending invitations', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows since when an invitation is pending and resends it; accepted and deactivated users get no resend button', async () => {
    const resends = fakeGateway([user('ivy', 'Ivy Invitee', '2026-12-01T10:00:00.000Z'), user('ann', 'Ann Accepted', null), user('leo', 'Leo Left', '2026-11-01T10:00:00.000Z', false)]);
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <UsersPage />
      </>,
    );

    const ivyRow = (await screen.findByText('Ivy Invitee')).closest('tr')!;
    expect(within(ivyRow).getByText(/^Invitation pending since /)).toBeDefined();
    expect(within(screen.getByText('Ann Accepted').closest('tr')!).queryByText(/Invitation pending/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Resend invitation to Ann Accepted' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Resend invitation to Leo Left' })).toBeNull();
    await person.click(within(ivyRow).getByRole('button', { name: 'Resend invitation to Ivy Invitee' }));

    expect(await screen.findByText('A new invitation is on its way to ivy@example.com; earlier links no longer work.')).toBeDefined();
    expect(resends).toEqual(['ivy']);
  });

  it('says when the invitation was resent too often', async () => {
    fakeGateway([user('ivy', 'Ivy Invitee', '2026-12-01T10:00:00.000Z')], 429);
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <UsersPage />
      </>,
    );

    await person.click(await screen.findByRole('button', { name: 'Resend invitation to Ivy Invitee' }));

    expect(await screen.findByText(/Try again in 3540 seconds/)).toBeDefined();
  });
});
