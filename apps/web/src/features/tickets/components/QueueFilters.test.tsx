import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LocationProbe, renderWithProviders } from '../../../test/render';
import { apiQueryFromFilters, filtersFromSearch, searchFromFilters, viewQueryFromFilters } from '../hooks/queue-filters';
import { useQueueFilters } from '../hooks/useQueueFilters';
import { QueueFilters } from './QueueFilters';

function WiredFilters() {
  const [filters, update, clear] = useQueueFilters();
  return (
    <>
      <QueueFilters filters={filters} onChange={update} onClear={clear} staff assignees={[{ value: 'u-2', label: 'Bea Agent' }]} teams={[{ value: 't-1', label: 'Billing' }]} />
      <LocationProbe />
    </>
  );
}

const currentQuery = () => new URLSearchParams(screen.getByLabelText('current query').textContent ?? '');

describe('queue filters and the query string', () => {
  it('round-trips every filter through the URL, dropping defaults and unknown values', () => {
    const params = new URLSearchParams('status=open,bogus,pending&priority=urgent&assignee=me&team=t-1&tag=vip&breached=true&q=printer&sort=-priority&field.product_area=billing&field.Bad=x');
    const filters = filtersFromSearch(params);
    expect(filters).toEqual({ status: ['open', 'pending'], priority: ['urgent'], assignee: 'me', team: 't-1', tag: 'vip', breached: true, q: 'printer', sort: '-priority', fields: { product_area: 'billing' } });
    expect(searchFromFilters(filters).toString()).toBe('status=open%2Cpending&priority=urgent&assignee=me&team=t-1&tag=vip&breached=true&q=printer&sort=-priority&field.product_area=billing');
    expect(apiQueryFromFilters(filters, 'user-1')).toMatchObject({ 'field.product_area': 'billing' });
    expect(searchFromFilters(filtersFromSearch(new URLSearchParams('sort=-updatedAt&sort=nonsense'))).toString()).toBe('');
  });

  it('turns "me" into the caller and "unassigned" into the API\'s none', () => {
    const base = filtersFromSearch(new URLSearchParams('assignee=me&status=new,open'));
    expect(apiQueryFromFilters(base, 'user-1')).toMatchObject({ assigneeId: 'user-1', status: 'new,open', sort: '-updatedAt', limit: 50 });
    expect(apiQueryFromFilters({ ...base, assignee: 'unassigned' }, 'user-1').assigneeId).toBe('none');
    expect(apiQueryFromFilters({ ...base, assignee: null }, 'user-1')).not.toHaveProperty('assigneeId');
  });

  it('shows the filters the URL holds', () => {
    renderWithProviders(<WiredFilters />, { route: '/tickets?assignee=me&breached=true&q=refund&sort=createdAt' });
    expect(screen.getByRole('searchbox', { name: 'Search tickets' })).toHaveProperty('value', 'refund');
    expect(screen.getByRole('switch', { name: 'SLA breached only' })).toHaveProperty('checked', true);
    expect(screen.getByRole('combobox', { name: 'Assignee' })).toHaveProperty('value', 'Me');
    expect(screen.getByRole('combobox', { name: 'Sort' })).toHaveProperty('value', 'Oldest first');
  });

  it('writes what the person changes into the URL, and clears it', async () => {
    const user = userEvent.setup();
    renderWithProviders(<WiredFilters />, { route: '/tickets' });
    await user.click(screen.getByRole('switch', { name: 'SLA breached only' }));
    expect(currentQuery().get('breached')).toBe('true');

    await user.type(screen.getByRole('searchbox', { name: 'Search tickets' }), 'paper jam{Enter}');
    expect(currentQuery().get('q')).toBe('paper jam');

    await user.click(screen.getByRole('combobox', { name: 'Assignee' }));
    await user.click(await screen.findByRole('option', { name: 'Unassigned', hidden: true }));
    await waitFor(() => expect(currentQuery().get('assignee')).toBe('unassigned'));

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(screen.getByLabelText('current query').textContent).toBe(''));
    expect(screen.getByRole('switch', { name: 'SLA breached only' })).toHaveProperty('checked', false);
  });
});

describe('views in the queue', () => {
  it('keeps the open view in the URL and lets the view keep its own order', () => {
    const filters = filtersFromSearch(new URLSearchParams('view=v-1&priority=urgent'));
    expect(searchFromFilters(filters).toString()).toBe('view=v-1&priority=urgent');
    const query = apiQueryFromFilters(filters, 'user-1');
    expect(query).toMatchObject({ view: 'v-1', priority: 'urgent' });
    expect(query).not.toHaveProperty('sort');
    expect(apiQueryFromFilters({ ...filters, sort: 'createdAt' }, 'user-1').sort).toBe('createdAt');
  });

  it('saves the filters shown as a view query: "me" stays "me", over the open view\'s own filters', () => {
    const filters = filtersFromSearch(new URLSearchParams('assignee=me&priority=urgent&field.plan=pro'));
    expect(viewQueryFromFilters(filters)).toEqual({ query: { assigneeId: 'me', priority: ['urgent'], fields: { plan: 'pro' } }, sort: '-updatedAt' });
    const base = { query: { status: ['pending' as const], priority: ['low' as const], fields: { region: 'eu' } }, sort: 'createdAt' };
    expect(viewQueryFromFilters({ ...filters, assignee: 'unassigned' }, base)).toEqual({
      query: { status: ['pending'], priority: ['urgent'], assigneeId: 'none', fields: { region: 'eu', plan: 'pro' } },
      sort: 'createdAt',
    });
  });
});
