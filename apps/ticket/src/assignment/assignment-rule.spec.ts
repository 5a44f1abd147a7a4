import { describe, expect, it } from 'vitest';
import { planAssignments, type Candidate } from './assignment-rule.js';

const a = '00000000-0000-4000-8000-00000000000a';
const b = '00000000-0000-4000-8000-00000000000b';
const c = '00000000-0000-4000-8000-00000000000c';
const member = (userId: string, open = 0, capacity: number | null = null): Candidate => ({ userId, open, capacity });
const counts = (ids: string[]) => ids.reduce<Record<string, number>>((all, id) => ({ ...all, [id]: (all[id] ?? 0) + 1 }), {});

describe('planAssignments', () => {
  it('manual assigns nobody', () => {
    expect(planAssignments('manual', [member(a), member(b)], 3, null)).toEqual({ assignees: [], lastAssignedUserId: null });
  });

  it('round robin goes through the members in id order, whatever order they come in', () => {
    expect(planAssignments('round_robin', [member(c), member(a), member(b)], 4, null)).toEqual({ assignees: [a, b, c, a], lastAssignedUserId: a });
  });

  it('round robin continues after the member assigned last, wrapping around', () => {
    expect(planAssignments('round_robin', [member(a), member(b), member(c)], 2, b).assignees).toEqual([c, a]);
    expect(planAssignments('round_robin', [member(a), member(b), member(c)], 1, c).assignees).toEqual([a]);
  });

  it('round robin continues after a last member who is no longer a candidate', () => {
    const between = '00000000-0000-4000-8000-00000000000b0';
    expect(planAssignments('round_robin', [member(a), member(c)], 2, between).assignees).toEqual([c, a]);
  });

  it('round robin ignores open counts and spreads evenly (max - min <= 1)', () => {
    const plan = planAssignments('round_robin', [member(a, 9), member(b, 0), member(c, 4)], 100, null);
    const spread = Object.values(counts(plan.assignees));
    expect(Math.max(...spread) - Math.min(...spread)).toBeLessThanOrEqual(1);
    expect(plan.assignees).toHaveLength(100);
  });

  it('skips members at capacity and stops when everyone is full', () => {
    const plan = planAssignments('round_robin', [member(a, 2, 2), member(b, 0, 1), member(c, 0, 2)], 5, null);
    expect(plan.assignees).toEqual([b, c, c]);
    expect(plan.lastAssignedUserId).toBe(c);
  });

  it('load balanced gives each ticket to the member with the fewest open tickets', () => {
    expect(planAssignments('load_balanced', [member(a, 3), member(b, 1), member(c, 0)], 4, null).assignees).toEqual([c, b, c, b]);
  });

  it('load balanced breaks ties by taking turns after the last one assigned', () => {
    expect(planAssignments('load_balanced', [member(a, 1), member(b, 1), member(c, 1)], 3, a).assignees).toEqual([b, c, a]);
  });

  it('load balanced respects capacity', () => {
    expect(planAssignments('load_balanced', [member(a, 0, 1), member(b, 5, 6)], 4, null).assignees).toEqual([a, b]);
  });

  it('nobody to pick means nobody is assigned and the cursor stays', () => {
    expect(planAssignments('load_balanced', [], 3, b)).toEqual({ assignees: [], lastAssignedUserId: b });
    expect(planAssignments('round_robin', [member(a, 1, 1)], 3, b)).toEqual({ assignees: [], lastAssignedUserId: b });
  });
});
