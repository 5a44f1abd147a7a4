import type { QueueView } from '@helpdesk/contracts';

/**
 * The sidebar's two groups, each in the API's order (position, then id). Shared views come first
 * and are ordered by admins for everyone; personal views are ordered by their owner.
 */
export function groupViews(views: readonly QueueView[]): { shared: QueueView[]; personal: QueueView[] } {
  return { shared: views.filter((view) => view.shared), personal: views.filter((view) => !view.shared) };
}

/**
 * The positions to write so `group[index]` moves one place up (-1) or down (+1) within its group:
 * the group's own position values, made strictly increasing (views saved with equal positions get
 * the next free number), handed out in the new order. Only the views whose position changes are
 * listed: two for a plain swap. Views outside the group keep theirs.
 */
export function positionsAfterMove(group: readonly QueueView[], index: number, by: -1 | 1): Array<{ id: string; position: number }> {
  const target = index + by;
  if (index < 0 || index >= group.length || target < 0 || target >= group.length) return [];
  const slots: number[] = [];
  for (const view of group) slots.push(Math.max(view.position, (slots.at(-1) ?? -1) + 1));
  const order = [...group];
  const [moved] = order.splice(index, 1);
  order.splice(target, 0, moved!);
  return order.flatMap((view, slot) => (view.position === slots[slot] ? [] : [{ id: view.id, position: slots[slot]! }]));
}

/** `views` with the new positions applied, sorted as the API lists them: what the sidebar shows while the writes are under way. */
export function withPositions(views: readonly QueueView[], changes: ReadonlyArray<{ id: string; position: number }>): QueueView[] {
  const next = new Map(changes.map((change) => [change.id, change.position]));
  return views
    .map((view) => (next.has(view.id) ? { ...view, position: next.get(view.id)! } : view))
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
