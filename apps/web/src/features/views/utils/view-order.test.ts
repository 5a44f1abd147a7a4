import type { QueueView } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { groupViews, positionsAfterMove, withPositions } from './view-order';

const view = (id: string, position: number, shared = false) => ({ id, name: id, shared, position }) as QueueView;

describe('ordering views in the sidebar', () => {
  it('groups shared views before personal ones, each keeping the API order', () => {
    const { shared, personal } = groupViews([view('a', 1, true), view('mine-1', 2), view('b', 3, true), view('mine-2', 4)]);
    expect(shared.map((one) => one.id)).toEqual(['a', 'b']);
    expect(personal.map((one) => one.id)).toEqual(['mine-1', 'mine-2']);
  });

  it('swaps the positions of a view and its neighbour, writing only those two', () => {
    const group = [view('a', 5), view('b', 9), view('c', 12)];
    expect(positionsAfterMove(group, 1, -1)).toEqual([
      { id: 'b', position: 5 },
      { id: 'a', position: 9 },
    ]);
    expect(positionsAfterMove(group, 1, 1)).toEqual([
      { id: 'c', position: 9 },
      { id: 'b', position: 12 },
    ]);
  });

  it('gives views saved with equal positions distinct ones, so the new order holds', () => {
    const group = [view('a', 3), view('b', 3), view('c', 3)];
    expect(positionsAfterMove(group, 2, -1)).toEqual([
      { id: 'c', position: 4 },
      { id: 'b', position: 5 },
    ]);
  });

  it('moves nothing past either end of the group', () => {
    const group = [view('a', 1), view('b', 2)];
    expect(positionsAfterMove(group, 0, -1)).toEqual([]);
    expect(positionsAfterMove(group, 1, 1)).toEqual([]);
  });

  it('shows the new positions in the API order (position, then id) while they are written', () => {
    const views = [view('a', 1, true), view('b', 2), view('c', 3)];
    expect(withPositions(views, [{ id: 'c', position: 2 }, { id: 'b', position: 3 }]).map((one) => one.id)).toEqual(['a', 'c', 'b']);
    expect(withPositions(views, [{ id: 'c', position: 1 }]).map((one) => one.id)).toEqual(['a', 'c', 'b']);
  });
});
