import { describe, expect, it } from 'vitest';
import { editorFiltersFromView, filterChanges, viewFiltersFromEditor, type ValueNames } from './view-filters';

const names: ValueNames = {
  assignee: (id) => ({ 'u-2': 'Bea Agent' })[id] ?? id,
  team: (id) => ({ 't-1': 'Billing' })[id] ?? id,
  field: (key) => ({ plan: 'Plan' })[key] ?? key,
};

describe("editing a view's filters", () => {
  it('shows a saved query in the queue controls and saves it back unchanged', () => {
    const saved = { query: { status: ['new' as const, 'open' as const], assigneeId: 'none', teamId: 't-1', tag: 'vip', breached: true, fields: { plan: 'pro' } }, sort: 'createdAt' };
    const filters = editorFiltersFromView(saved);
    expect(filters).toMatchObject({ status: ['new', 'open'], assignee: 'unassigned', team: 't-1', tag: 'vip', breached: true, sort: 'createdAt', fields: { plan: 'pro' } });
    expect(viewFiltersFromEditor(filters, saved)).toEqual(saved);
    expect(filterChanges(saved, viewFiltersFromEditor(filters, saved), names)).toEqual([]);
  });

  it('replaces the query, so a filter cleared in the controls leaves the view, while what the controls cannot show stays', () => {
    const saved = { query: { status: ['pending' as const], requesterId: 'r-1', breached: false }, sort: null };
    const filters = { ...editorFiltersFromView(saved), status: [], priority: ['urgent' as const] };
    expect(viewFiltersFromEditor(filters, saved)).toEqual({ query: { requesterId: 'r-1', breached: false, priority: ['urgent'] }, sort: null });
  });

  it('lists each changed filter with its old and new value as the person reads them', () => {
    const before = { query: { status: ['open' as const, 'new' as const], assigneeId: 'me', tag: 'outage' }, sort: null };
    const after = { query: { status: ['new' as const, 'open' as const], assigneeId: 'u-2', teamId: 't-1', fields: { plan: 'pro' } }, sort: '-priority' };
    expect(filterChanges(before, after, names)).toEqual([
      { filter: 'Assignee', from: 'Me', to: 'Bea Agent' },
      { filter: 'Team', from: 'Any', to: 'Billing' },
      { filter: 'Tag', from: 'outage', to: 'Any' },
      { filter: 'Plan', from: 'Any', to: 'pro' },
      { filter: 'Sort', from: 'Newest first', to: 'Highest priority' },
    ]);
  });
});
