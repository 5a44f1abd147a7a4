import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QueueView } from '@helpdesk/contracts';
import { LocationProbe, renderWithProviders } from '../../../test/render';
import { ViewActions } from './ViewActions';

const outages: QueueView = { id: 'v-1', name: 'Outages', shared: false, ownerId: 'u-1', query: { tag: 'outage', status: ['open'] }, sort: null, position: 5, count: 2, countCapped: false, createdAt: '', updatedAt: '' };
const options = { assignees: [{ value: 'u-2', label: 'Bea Agent' }], teams: [{ value: 't-1', label: 'Billing' }] };

/** PATCH /views/:id answered with `reply` (the saved view, or an error body with its status); what was sent is kept. */
function stubUpdate(status: number, reply: unknown) {
  const sent: Array<{ method?: string; path: string; body: unknown }> = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push({ method: init.method, path: new URL(String(input), 'http://console.test').pathname, body: JSON.parse(String(init.body)) });
    return new Response(JSON.stringify(reply), { status, headers: { 'content-type': 'application/json' } });
  });
  return sent;
}

function renderActions(current = { query: { tag: 'outage', status: ['open' as const], assigneeId: 'u-2' }, sort: 'createdAt' }) {
  return renderWithProviders(
    <>
      <ViewActions view={outages} current={() => current} filterOptions={options} admin={false} myUserId="u-1" />
      <LocationProbe />
    </>,
    { route: '/tickets?view=v-1&assignee=u-2&sort=createdAt' },
  );
}

describe("editing a view's filters", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("takes the queue's filters in one click, lists what changes and saves them as the view's query and sort", async () => {
    const sent = stubUpdate(200, { ...outages, query: { tag: 'outage', status: ['open'], assigneeId: 'u-2' }, sort: 'createdAt' });
    const person = userEvent.setup();
    renderActions();

    await person.click(screen.getByRole('button', { name: 'Edit view' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit view Outages' });
    expect(within(dialog).queryByRole('list', { name: 'Saving changes what the view lists:' })).toBeNull();
    await person.click(within(dialog).getByRole('button', { name: "Use the queue's current filters" }));
    const changes = within(dialog).getByRole('list', { name: 'Saving changes what the view lists:' });
    expect(within(changes).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['Assignee: Any → Bea Agent', 'Sort: Newest first → Oldest first']);
    // Loaded, the queue's filters are the editor's: nothing more to take.
    expect(within(dialog).queryByRole('button', { name: "Use the queue's current filters" })).toBeNull();

    await person.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(sent).toEqual([{ method: 'PATCH', path: '/api/v1/views/v-1', body: { name: 'Outages', query: { tag: 'outage', status: ['open'], assigneeId: 'u-2' }, sort: 'createdAt' } }]);
    // The filters picked on top of the view are in it now: the queue lists the view alone.
    expect(await screen.findByText('?view=v-1')).toBeDefined();
  });

  it('drops a filter cleared in the dialog, and shows the reason when the API refuses the change', async () => {
    const sent = stubUpdate(403, { statusCode: 403, error: 'Forbidden', message: 'Only admins may create, change or delete shared views' });
    const person = userEvent.setup();
    renderActions();

    await person.click(screen.getByRole('button', { name: 'Edit view' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit view Outages' });
    await person.clear(within(dialog).getByRole('textbox', { name: 'Tag' }));
    await person.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(await within(dialog).findByRole('alert')).toHaveProperty('textContent', 'Only admins may create, change or delete shared views');
    expect(sent.map((request) => request.body)).toEqual([{ name: 'Outages', query: { status: ['open'] }, sort: null }]);
  });
});
