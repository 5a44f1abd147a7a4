import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TicketFollowerView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { Followers } from './Followers';

const bob: TicketFollowerView = { userId: 'u-bob', name: 'Bob Agent', followedAt: '2026-12-04T08:00:00.000Z' };

/** The gateway's paging, one item a page, so the component must follow nextCursor to show them all. */
const onePageAt = <T,>(listed: T[], query: string | undefined) => {
  const at = Number(new URLSearchParams(query).get('cursor') ?? 0);
  return { items: listed.slice(at, at + 1), nextCursor: at + 1 < listed.length ? String(at + 1) : null };
};

/** The followers API as the gateway answers it for the signed-in agent `u-me`. */
function fakeGateway(listed: TicketFollowerView[]) {
  const sent: Array<{ method: string; path: string }> = [];
  const json = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const [path, query] = url.split('?') as [string, string | undefined];
    const method = init.method ?? 'GET';
    if (method !== 'GET') sent.push({ method, path });
    if (path === '/api/v1/tickets/t-1/followers' && method === 'GET') return json(200, onePageAt(listed, query));
    if (path === '/api/v1/tickets/t-1/followers' && method === 'POST') {
      const me = { userId: 'u-me', name: 'Mia Me', followedAt: '2026-12-04T10:00:00.000Z' };
      listed.push(me);
      return json(201, me);
    }
    if (path === '/api/v1/tickets/t-1/followers/me' && method === 'DELETE') {
      listed.splice(listed.findIndex((follower) => follower.userId === 'u-me'), 1);
      return new Response(null, { status: 204 });
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found', requestId: 'r' });
  });
  return sent;
}

describe("the ticket page's followers", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists who follows, lets the signed-in agent follow and then unfollow, and shows the list as it now is', async () => {
    const sent = fakeGateway([{ ...bob }]);
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <Followers ticketId="t-1" myUserId="u-me" />
      </>,
    );

    const section = await screen.findByRole('region', { name: 'Followers' });
    expect(await within(section).findByText('Bob Agent', { exact: false })).toBeDefined();

    await person.click(within(section).getByRole('button', { name: 'Follow' }));
    expect(await within(section).findByText('Mia Me (you)', { exact: false })).toBeDefined();
    expect(await screen.findByText('You follow this ticket.')).toBeDefined();

    await person.click(await within(section).findByRole('button', { name: 'Unfollow' }));
    expect(await within(section).findByRole('button', { name: 'Follow' })).toBeDefined();
    expect(within(section).queryByText('Mia Me (you)', { exact: false })).toBeNull();
    expect(sent).toEqual([
      { method: 'POST', path: '/api/v1/tickets/t-1/followers' },
      { method: 'DELETE', path: '/api/v1/tickets/t-1/followers/me' },
    ]);
  });

  it('shows every follower, not only the first page of them', async () => {
    fakeGateway([{ ...bob }, { userId: 'u-cleo', name: 'Cleo Agent', followedAt: '2026-12-04T09:00:00.000Z' }, { userId: 'u-dan', name: 'Dan Admin', followedAt: '2026-12-04T09:30:00.000Z' }]);
    renderWithProviders(<Followers ticketId="t-1" myUserId="u-me" />);
    const section = await screen.findByRole('region', { name: 'Followers' });
    for (const name of ['Bob Agent', 'Cleo Agent', 'Dan Admin']) expect(await within(section).findByText(name, { exact: false })).toBeDefined();
  });

  it('says so when nobody follows', async () => {
    fakeGateway([]);
    renderWithProviders(<Followers ticketId="t-1" myUserId="u-me" />);
    expect(await screen.findByText('Nobody follows this ticket.')).toBeDefined();
  });
});
