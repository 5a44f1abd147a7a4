import type { TicketPriority, TicketStatus } from './tickets.js';

/**
 * Views (DESIGN section 14): saved GET /tickets filters and a sort, personal (their owner's) or
 * shared (the organization's staff see them, admins write them), each listed with its live count.
 */
export const VIEW_LIMITS = {
  name: 100,
  /** Personal views per agent, and shared views per organization: a sidebar, not a report. */
  personalPerUser: 50,
  sharedPerOrganization: 100,
  /** Counts are exact up to this many tickets; above it the view says `countCapped` and shows the cap ("10000+"). */
  countCap: 10_000,
} as const;

/**
 * A view's filters: exactly GET /tickets' (checked by the same rules), stored as given. `assigneeId`
 * may be `me`, resolved to whoever reads the view, so one shared "My open" serves every agent.
 */
export interface TicketFilterQuery {
  status?: TicketStatus[];
  priority?: TicketPriority[];
  /** A user id, `none` (unassigned) or `me` (the reader). */
  assigneeId?: string;
  teamId?: string;
  tag?: string;
  requesterId?: string;
  breached?: boolean;
  q?: string;
  /** Custom field filters by key (`field.<key>=<value>`). */
  fields?: Record<string, string>;
}

export interface QueueView {
  id: string;
  name: string;
  /** Shared: the organization's staff see it and admins change it; otherwise only `ownerId` sees it. */
  shared: boolean;
  ownerId: string | null;
  query: TicketFilterQuery;
  /** A GET /tickets `sort`; null: the list's default (`-createdAt`). */
  sort: string | null;
  /** Ascending; the sidebar's order. */
  position: number;
  /** Tickets in the view for the reader now (exact up to VIEW_LIMITS.countCap). */
  count: number;
  countCapped: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What every new organization starts with (and existing ones got by migration): shared, so every agent has them. */
export const DEFAULT_VIEWS: ReadonlyArray<{ name: string; query: TicketFilterQuery; sort: string }> = [
  { name: 'My open', query: { assigneeId: 'me', status: ['new', 'open', 'pending', 'on_hold'] }, sort: 'resolutionDueAt' },
  { name: 'Unassigned', query: { assigneeId: 'none', status: ['new', 'open'] }, sort: 'createdAt' },
  { name: 'Breached', query: { breached: true, status: ['new', 'open', 'pending', 'on_hold'] }, sort: 'resolutionDueAt' },
  { name: 'Waiting on customer', query: { status: ['pending'] }, sort: '-updatedAt' },
];
