import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TicketLinkView, TicketView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { LinksCard } from './LinksCard';

const ticket = (id: string, number: number, subject: string, status = 'open') => ({ id, number, subject, status, priority: 'normal', tags: [], version: 1 }) as unknown as TicketView;
const current = ticket('t-1', 1, 'VPN drops');
const outage = ticket('t-5', 5, 'Network outage');

/** The gateway's paging, one item a page, so the component must follow nextCursor to show them all. */
const onePageAt = <T,>(listed: T[], query: string | undefined) => {
  const at = Number(new URLSearchParams(query).get('cursor') ?? 0);
  return { items: listed.slice(at, at + 1), nextCursor: at + 1 < listed.length ? String(at + 1) : null };
};

/** The links API as the gateway answers it: the new link seen from this ticket, or a 422 for a cycle. */
function fakeGateway(listed: TicketLinkView[], refuse = false) {
  const sent: Array<{ method: string; path: string; body?: unknown }> = [];
  const json = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const [path, query] = url.split('?') as [string, string | undefined];
    const method = init.method ?? 'GET';
    if (method !== 'GET') sent.push({ method, path, ...(init.body ? { body: JSON.parse(String(init.body)) } : {}) });
    if (path === '/api/v1/tickets/t-1/links' && method === 'GET') return json(200, onePageAt(listed, query));
    if (path === '/api/v1/tickets' && method === 'GET') return json(200, { items: new URLSearchParams(query).get('number') === '5' ? [outage] : [], nextCursor: null });
    if (path === '/api/v1/tickets/t-1/links' && method === 'POST') {
      if (refuse) return json(422, { statusCode: 422, error: 'Unprocessable Entity', message: 'Ticket #5 cannot be the parent of #1: it already descends from it, which would make a cycle', requestId: 'r' });
      const link: TicketLinkView = { kind: 'parent', ticket: { id: outage.id, number: 5, subject: outage.subject, status: 'open' }, createdAt: '2026-12-04T10:00:00.000Z' };
      listed.push(link);
      return json(201, link);
    }
    if (path === '/api/v1/tickets/t-1/links/t-9' && method === 'DELETE') {
      listed.splice(0, 1);
      return new Response(null, { status: 204 });
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found', requestId: 'r' });
  });
  return sent;
}

async function pickOutageAsParent(person: ReturnType<typeof userEvent.setup>, section: HTMLElement) {
  await person.type(within(section).getByRole('combobox', { name: 'Ticket' }), '#5');
  await person.click(await screen.findByRole('option', { name: '#5 Network outage', hidden: true }));
  await person.click(within(section).getByRole('combobox', { name: 'Link as' }));
  await person.click(await screen.findByRole('option', { name: 'Parent of this ticket', hidden: true }));
  await person.click(within(section).getByRole('button', { name: 'Link' }));
}

describe("the ticket page's linked tickets", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists each link with what the other ticket is and its status, links a parent found by number, and unlinks', async () => {
    const related: TicketLinkView = { kind: 'related', ticket: { id: 't-9', number: 9, subject: 'Wi-Fi slow', status: 'pending' }, createdAt: '2026-12-04T09:00:00.000Z' };
    const sent = fakeGateway([related]);
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <LinksCard ticket={current} />
      </>,
    );

    const section = await screen.findByRole('region', { name: 'Linked tickets' });
    const item = (await within(section).findByRole('link', { name: '#9 Wi-Fi slow' })).closest('li')!;
    expect(within(item).getByText('Related:')).toBeDefined();
    expect(within(item).getByText('Pending')).toBeDefined();

    await pickOutageAsParent(person, section);
    expect(await screen.findByText('Linked to #5.')).toBeDefined();
    const parentItem = (await within(section).findByRole('link', { name: '#5 Network outage' })).closest('li')!;
    expect(within(parentItem).getByText('Parent:')).toBeDefined();

    await person.click(within(section).getByRole('button', { name: 'Unlink #9' }));
    expect(await screen.findByText('Unlinked #9.')).toBeDefined();
    expect(sent).toEqual([
      { method: 'POST', path: '/api/v1/tickets/t-1/links', body: { targetId: 't-5', kind: 'parent' } },
      { method: 'DELETE', path: '/api/v1/tickets/t-1/links/t-9' },
    ]);
  });

  it('shows every link, not only the first page of them', async () => {
    const links: TicketLinkView[] = [9, 10, 11].map((number) => ({ kind: 'related', ticket: { id: `t-${number}`, number, subject: `Ticket ${number}`, status: 'open' }, createdAt: '2026-12-04T09:00:00.000Z' }));
    fakeGateway(links);
    renderWithProviders(<LinksCard ticket={current} />);
    const section = await screen.findByRole('region', { name: 'Linked tickets' });
    for (const number of [9, 10, 11]) expect(await within(section).findByRole('link', { name: `#${number} Ticket ${number}` })).toBeDefined();
  });

  it('shows why a link was refused', async () => {
    fakeGateway([], true);
    const person = userEvent.setup();
    renderWithProviders(<LinksCard ticket={current} />);
    const section = await screen.findByRole('region', { name: 'Linked tickets' });
    await within(section).findByText('No linked tickets.');

    await pickOutageAsParent(person, section);

    expect(await within(section).findByText('Ticket #5 cannot be the parent of #1: it already descends from it, which would make a cycle')).toBeDefined();
  });
});
