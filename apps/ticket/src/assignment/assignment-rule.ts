import type { TeamAssignment } from '@helpdesk/contracts';

/** A member who may take tickets now: an active agent or admin of the team, available, with their open tickets counted. */
export interface Candidate {
  userId: string;
  /** Open (not solved or closed) tickets assigned to them, across every team. */
  open: number;
  /** Most open tickets they may hold; null is unlimited. */
  capacity: number | null;
}

export interface AssignmentPlan {
  /** The assignee of each waiting ticket, in the order given; shorter when everyone filled up. */
  assignees: string[];
  /** The member picked last, which round robin continues after next time (unchanged when nobody was picked). */
  lastAssignedUserId: string | null;
}

function hasRoom(candidate: Candidate): boolean {
  return candidate.capacity === null || candidate.open < candidate.capacity;
}

/**
 * Picks an assignee for each of `waiting` tickets, oldest first. Members are taken in a stable order
 * (their ids), so two passes agree on who comes "next".
 * - round_robin: the next member with room after the one assigned last, wrapping around.
 * - load_balanced: the member with the fewest open tickets; ties go to the next after the last one
 *   assigned, so equal loads take turns too.
 * Capacity is counted as tickets are handed out, so nobody passes it within one pass.
 */
export function planAssignments(rule: TeamAssignment, members: readonly Candidate[], waiting: number, lastAssignedUserId: string | null): AssignmentPlan {
  const order = [...members].map((member) => ({ ...member })).sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const assignees: string[] = [];
  let last = lastAssignedUserId;
  if (rule === 'manual' || order.length === 0) return { assignees, lastAssignedUserId: last };
  for (let ticket = 0; ticket < waiting; ticket += 1) {
    // Members after the last one assigned come first, then the rest from the start: the rotation.
    const start = last === null ? 0 : order.findIndex((member) => member.userId > last!);
    const rotated = start <= 0 ? order : [...order.slice(start), ...order.slice(0, start)];
    const free = rotated.filter(hasRoom);
    if (free.length === 0) break;
    let chosen = free[0]!;
    if (rule === 'load_balanced') for (const member of free) if (member.open < chosen.open) chosen = member;
    chosen.open += 1;
    assignees.push(chosen.userId);
    last = chosen.userId;
  }
  return { assignees, lastAssignedUserId: last };
}
