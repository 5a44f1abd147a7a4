import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Role, UserView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { useUserDirectoryOf } from './directory';

const user = (id: string, name: string, role: Role, active = true): UserView => ({ id, organizationId: 'org-1', email: `${id}@example.com`, name, role, active, invitationPendingSince: null, bouncingSince: null, capacity: null, availability: 'online', availabilitySetting: 'online' });

const ada = user('a0000000-0000-4000-8000-000000000001', 'Ada Admin', 'admin');
const bea = user('b0000000-0000-4000-8000-000000000002', 'Bea Agent', 'agent');
const carl = user('c0000000-0000-4000-8000-000000000003', 'Carl Customer', 'customer');
const dora = user('d0000000-0000-4000-8000-000000000004', 'Dora Customer', 'customer');
const fred = user('f0000000-0000-4000-8000-000000000005', 'Fred Former', 'agent', false);
const everyone = [ada, bea, carl, dora, fred];

/**
 * The gateway as the directory sees it: GET /users for staff (role, active and ids filters),
 * GET /users/:id answering customers only for staff, as { id, name, role }.
 */
function fakeGateway(callerRole: Role) {
  const requests: string[] = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input), 'http://console.test');
    requests.push(`${url.pathname}${url.search}`);
    if (url.pathname === '/api/v1/users') {
      if (callerRole === 'customer') return json(403, { statusCode: 403, error: 'Forbidden', message: 'This needs the role admin or agent', requestId: 'r' });
      const roles = url.searchParams.get('role')?.split(',');
      const ids = url.searchParams.get('ids')?.split(',');
      const active = url.searchParams.get('active');
      const items = everyone.filter((candidate) => (!roles || roles.includes(candidate.role)) && (!ids || ids.includes(candidate.id)) && (active === null || String(candidate.active) === active));
      return json(200, { items, nextCursor: null });
    }
    const found = everyone.find((candidate) => url.pathname === `/api/v1/users/${candidate.id}`);
    if (!found || (callerRole === 'customer' && found.role === 'customer')) return json(404, { statusCode: 404, error: 'Not Found', message: 'User not found', requestId: 'r' });
    return json(200, callerRole === 'customer' ? { id: found.id, name: found.name, role: found.role } : found);
  });
  vi.stubGlobal('fetch', fetch);
  return { requests };
}

function Names({ me, ids }: { me: UserView; ids: string[] }) {
  const directory = useUserDirectoryOf(me, ids);
  return (
    <>
      <ul aria-label="names">
        {ids.map((id, index) => (
          <li key={`${id}-${index}`}>{directory.nameOf(id)}</li>
        ))}
      </ul>
      <ul aria-label="assignable">
        {directory.assignable.map((staff) => (
          <li key={staff.id}>{staff.name}</li>
        ))}
      </ul>
    </>
  );
}

const listed = (label: string) => within(label).map((item) => item.textContent);
const within = (label: string) => [...screen.getByRole('list', { name: label }).querySelectorAll('li')];

describe('the user directory', () => {
  beforeEach(() => vi.unstubAllGlobals());
  afterEach(() => vi.unstubAllGlobals());

  it('gives an agent every active colleague to assign, and names customers with one request for all of them', async () => {
    const gateway = fakeGateway('agent');
    renderWithProviders(<Names me={bea} ids={[carl.id, dora.id, ada.id, fred.id, carl.id]} />);

    await waitFor(() => expect(listed('names')).toEqual(['Carl Customer', 'Dora Customer', 'Ada Admin', 'Fred Former', 'Carl Customer']));
    expect(listed('assignable')).toEqual(['Ada Admin', 'Bea Agent']);
    const byIds = gateway.requests.filter((request) => request.includes('ids='));
    // One request for every name on the page (the staff list is loading at the same moment, so it may ask for Ada too).
    expect(byIds).toHaveLength(1);
    const asked = new URL(byIds[0]!, 'http://console.test').searchParams.get('ids')!.split(',');
    expect(asked).toEqual(expect.arrayContaining([carl.id, dora.id, fred.id]));
    expect(asked).not.toContain(bea.id);
    const staffList = gateway.requests.map((request) => new URL(request, 'http://console.test').searchParams).find((search) => search.has('role'));
    expect(Object.fromEntries(staffList!)).toEqual({ limit: '100', role: 'admin,agent', active: 'true' });
  });

  it('shows a placeholder, never an id, while a name loads', async () => {
    fakeGateway('agent');
    renderWithProviders(<Names me={bea} ids={[dora.id]} />);
    expect(listed('names')).toEqual(['…']);
    await screen.findByText('Dora Customer');
  });

  it('lets a customer name the staff on their ticket through GET /users/:id, and calls anyone else the support team', async () => {
    const gateway = fakeGateway('customer');
    renderWithProviders(<Names me={carl} ids={[carl.id, bea.id, dora.id]} />);

    await waitFor(() => expect(listed('names')).toEqual(['Carl Customer', 'Bea Agent', 'Support team']));
    expect(listed('assignable')).toEqual([]);
    expect(gateway.requests.some((request) => request.startsWith('/api/v1/users?'))).toBe(false);
    expect(gateway.requests.filter((request) => request === `/api/v1/users/${bea.id}`)).toHaveLength(1);
  });
});
