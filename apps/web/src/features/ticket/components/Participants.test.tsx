import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TicketParticipantView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { Participants } from './Participants';

const colin: TicketParticipantView = { userId: 'u-colin', name: 'Colin Colleague', email: 'colin@example.com', bouncingSince: '2026-12-04T09:00:00.000Z', addedAt: '2026-12-04T08:00:00.000Z' };

/** The gateway's paging, one item a page, so the component must follow nextCursor to show them all. */
const onePageAt = <T,>(listed: T[], query: string | undefined) => {
  const at = Number(new URLSearchParams(query).get('cursor') ?? 0);
  return { items: listed.slice(at, at + 1), nextCursor: at + 1 < listed.length ? String(at + 1) : null };
};

/** The participants API as the gateway answers it: a 409 for an address already copied. */
function fakeGateway(listed: TicketParticipantView[]) {
  const sent: Array<{ method: string; path: string; body?: unknown }> = [];
  const json = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const [path, query] = url.split('?') as [string, string | undefined];
    const method = init.method ?? 'GET';
    if (method !== 'GET') sent.push({ method, path, ...(init.body ? { body: JSON.parse(String(init.body)) } : {}) });
    if (path === '/api/v1/tickets/t-1/participants' && method === 'GET') return json(200, onePageAt(listed, query));
    if (path === '/api/v1/tickets/t-1/participants' && method === 'POST') {
      const { email } = JSON.parse(String(init.body)) as { email: string };
      if (listed.some((participant) => participant.email === email)) return json(409, { statusCode: 409, error: 'Conflict', message: `${email} is already a participant of this ticket`, requestId: 'r' });
      const added = { userId: 'u-new', name: email.split('@')[0]!, email, bouncingSince: null, addedAt: '2026-12-04T10:00:00.000Z' };
      listed.push(added);
      return json(201, added);
    }
    const removal = /^\/api\/v1\/tickets\/t-1\/participants\/([^/]+)$/.exec(path);
    if (removal && method === 'DELETE') {
      listed.splice(listed.findIndex((participant) => participant.userId === removal[1]), 1);
      return new Response(null, { status: 204 });
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found', requestId: 'r' });
  });
  return sent;
}

describe("the ticket page's participants", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows staff who is copied with the bounce mark, adds someone, shows a refusal under the field, and removes someone', async () => {
    const sent = fakeGateway([{ ...colin }]);
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <Participants ticketId="t-1" staff />
      </>,
    );

    const section = await screen.findByRole('region', { name: 'Copied' });
    const colinItem = (await within(section).findByText('colin@example.com')).closest('li')!;
    expect(within(colinItem).getByText('Mail bounces')).toBeDefined();

    await person.type(within(section).getByLabelText('Email address to copy'), 'colin@example.com');
    await person.click(within(section).getByRole('button', { name: 'Add' }));
    expect(await within(section).findByText('colin@example.com is already a participant of this ticket')).toBeDefined();

    await person.clear(within(section).getByLabelText('Email address to copy'));
    await person.type(within(section).getByLabelText('Email address to copy'), 'dana@example.com');
    await person.click(within(section).getByRole('button', { name: 'Add' }));
    expect(await within(section).findByText('dana@example.com')).toBeDefined();
    expect((within(section).getByLabelText('Email address to copy') as HTMLInputElement).value).toBe('');

    await person.click(within(section).getByRole('button', { name: 'Stop copying Colin Colleague' }));
    await vi.waitFor(() => expect(within(section).queryByText('colin@example.com')).toBeNull());
    expect(sent).toEqual([
      { method: 'POST', path: '/api/v1/tickets/t-1/participants', body: { email: 'colin@example.com' } },
      { method: 'POST', path: '/api/v1/tickets/t-1/participants', body: { email: 'dana@example.com' } },
      { method: 'DELETE', path: '/api/v1/tickets/t-1/participants/u-colin' },
    ]);
  });

  it('shows the requester who is copied, read-only, without the bounce mark', async () => {
    const { bouncingSince: _staffOnly, ...publicView } = colin;
    fakeGateway([publicView]);
    renderWithProviders(<Participants ticketId="t-1" staff={false} />);
    const section = await screen.findByRole('region', { name: 'Copied' });
    expect(within(section).getByText('Colin Colleague')).toBeDefined();
    expect(within(section).queryByText('Mail bounces')).toBeNull();
    expect(within(section).queryByRole('button')).toBeNull();
    expect(within(section).queryByRole('textbox')).toBeNull();
  });

  it('tells staff when nobody is copied', async () => {
    fakeGateway([]);
    renderWithProviders(<Participants ticketId="t-1" staff />);
    expect(await screen.findByText('Nobody is copied.')).toBeDefined();
  });
});
