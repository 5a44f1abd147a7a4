import { Notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QueueView, UserView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { ViewsNav } from './ViewsNav';

// The sidebar reads the signed-in user for their role; the session itself is not under test here.
const signedIn = vi.hoisted(() => ({ role: 'agent' as 'agent' | 'admin' }));
vi.mock('../../auth/hooks/useMe', () => ({
  useCurrentUser: () => ({ user: { id: 'u-1', organizationId: 'o-1', email: 'bea@example.com', name: 'Bea Agent', role: signedIn.role, active: true, invitationPendingSince: null, bouncingSince: null, capacity: null, availability: 'online', availabilitySetting: 'online' } satisfies UserView }),
}));

const view = (id: string, name: string, position: number, shared: boolean) =>
  ({ id, name, shared, ownerId: shared ? null : 'u-1', query: {}, sort: null, position, count: position, countCapped: false, createdAt: '', updatedAt: '' }) satisfies QueueView;

/** The views API as the sidebar uses it: the list by position, and PATCH of a position (refused when `refuse` says so). */
function stubViewsApi(refuse?: { status: number; message: string }) {
  const views = [view('s-1', 'My open', 1, true), view('s-2', 'Unassigned', 2, true), view('p-1', 'Outages', 5, false), view('p-2', 'VIP', 6, false)];
  const patches: Array<{ id: string; body: unknown }> = [];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://console.test');
    if (init.method === 'PATCH') {
      if (refuse) return json({ statusCode: refuse.status, error: 'Forbidden', message: refuse.message }, refuse.status);
      const id = url.pathname.split('/').at(-1)!;
      const body = JSON.parse(String(init.body)) as { position: number };
      patches.push({ id, body });
      views.find((one) => one.id === id)!.position = body.position;
      return json(views.find((one) => one.id === id));
    }
    return json({ items: [...views].sort((a, b) => a.position - b.position), nextCursor: null });
  });
  return patches;
}

/** The group's links, named by their views, top to bottom (a link's name is "<view>, <count> tickets"). */
const expectOrder = (group: HTMLElement, names: string[]) => expect(within(group).getAllByRole('link')).toEqual(names.map((name) => within(group).getByRole('link', { name: new RegExp(`^${name}\\s*,`) })));

describe('the sidebar views', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    signedIn.role = 'agent';
  });

  it('lets an admin order the shared views too, each group on its own', async () => {
    signedIn.role = 'admin';
    const patches = stubViewsApi();
    const person = userEvent.setup();
    renderWithProviders(<ViewsNav onNavigate={() => undefined} />, { route: '/tickets' });

    const shared = await screen.findByRole('group', { name: 'Shared views' });
    await person.click(screen.getByRole('button', { name: 'Reorder views' }));
    // The last shared view goes no further down: personal views are a group of their own.
    expect(within(shared).getByRole('button', { name: 'Move Unassigned down' })).toHaveProperty('disabled', true);
    await person.click(within(shared).getByRole('button', { name: 'Move Unassigned up' }));
    expectOrder(shared, ['Unassigned', 'My open']);
    await waitFor(() =>
      expect(patches).toEqual([
        { id: 's-2', body: { position: 1 } },
        { id: 's-1', body: { position: 2 } },
      ]),
    );
  });

  it('lets an agent move their own views, keeping the focus on the moved view and saving the positions', async () => {
    const patches = stubViewsApi();
    const person = userEvent.setup();
    renderWithProviders(<ViewsNav onNavigate={() => undefined} />, { route: '/tickets' });

    const mine = await screen.findByRole('group', { name: 'My views' });
    const shared = screen.getByRole('group', { name: 'Shared views' });
    expectOrder(mine, ['Outages', 'VIP']);
    await person.click(screen.getByRole('button', { name: 'Reorder views' }));
    // Shared views are the admins' to order.
    expect(within(shared).queryAllByRole('button')).toEqual([]);
    expect(within(mine).getByRole('button', { name: 'Move Outages up' })).toHaveProperty('disabled', true);

    await person.click(within(mine).getByRole('button', { name: 'Move VIP up' }));
    expectOrder(mine, ['VIP', 'Outages']);
    // Now first, its "up" is disabled: the focus goes to its "down".
    await waitFor(() => expect(document.activeElement).toBe(within(mine).getByRole('button', { name: 'Move VIP down' })));
    expect(screen.getByRole('status').textContent).toBe('VIP moved to position 1 of 2');
    await waitFor(() =>
      expect(patches).toEqual([
        { id: 'p-2', body: { position: 5 } },
        { id: 'p-1', body: { position: 6 } },
      ]),
    );
    await person.click(screen.getByRole('button', { name: 'Done reordering' }));
    expect(within(mine).queryAllByRole('button')).toEqual([]);
    expectOrder(mine, ['VIP', 'Outages']);
  });

  it('says why a move was refused and shows the order the server kept', async () => {
    stubViewsApi({ status: 403, message: 'Only admins may create, change or delete shared views' });
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <ViewsNav onNavigate={() => undefined} />
      </>,
      { route: '/tickets' },
    );

    const mine = await screen.findByRole('group', { name: 'My views' });
    await person.click(screen.getByRole('button', { name: 'Reorder views' }));
    await person.click(within(mine).getByRole('button', { name: 'Move Outages down' }));
    expect(await screen.findByText('Only admins may create, change or delete shared views')).toBeDefined();
    await waitFor(() => expectOrder(mine, ['Outages', 'VIP']));
  });
});
