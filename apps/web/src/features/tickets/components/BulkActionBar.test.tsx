import { Notifications } from '@mantine/notifications';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TicketView } from '@helpdesk/contracts';
import { renderWithProviders } from '../../../test/render';
import { BulkActionBar } from './BulkActionBar';

const ticket = (id: string, number: number, subject: string) => ({ id, number, subject, status: 'open', priority: 'normal', tags: [], version: 1 }) as unknown as TicketView;
const tickets = [ticket('t-1', 1, 'Printer jams'), ticket('t-2', 2, 'Network outage'), ticket('t-3', 3, 'VPN drops')];

describe('the queue\'s bulk action bar', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends one request for every ticked ticket and lists each ticket the API refused with its reason', async () => {
    const sent: unknown[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit = {}) => {
      const body = JSON.parse(String(init.body)) as { ids: string[] };
      sent.push({ method: init.method, body });
      const results = body.ids.map((id) =>
        id === 't-2' ? { id, status: 409, message: 'Ticket #2 has open child tickets (#3): solve or close them first' } : { id, status: 200, ticket: { ...tickets.find((one) => one.id === id), status: 'solved' } },
      );
      return new Response(JSON.stringify({ results }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const onDone = vi.fn();
    const person = userEvent.setup();
    renderWithProviders(
      <>
        <Notifications />
        <BulkActionBar selected={tickets} assignees={[]} onClear={() => undefined} onDone={onDone} />
      </>,
    );

    const bar = screen.getByRole('region', { name: 'Bulk actions' });
    expect(within(bar).getByText('3 tickets selected')).toBeDefined();
    expect(within(bar).getByRole('button', { name: 'Apply' })).toHaveProperty('disabled', true);
    await person.click(within(bar).getByRole('combobox', { name: 'Set status' }));
    await person.click(await screen.findByRole('option', { name: 'Solved', hidden: true }));
    await person.click(within(bar).getByRole('button', { name: 'Apply' }));

    const refusal = await within(bar).findByRole('alert');
    expect(within(refusal).getByText('1 ticket was not changed:')).toBeDefined();
    expect(within(refusal).getByText('#2 Network outage: Ticket #2 has open child tickets (#3): solve or close them first')).toBeDefined();
    expect(await screen.findByText('2 tickets updated.')).toBeDefined();
    expect(sent).toEqual([{ method: 'PATCH', body: { ids: ['t-1', 't-2', 't-3'], changes: { status: 'solved' } } }]);
    expect(onDone).toHaveBeenCalledWith(['t-2']);
  });
});
