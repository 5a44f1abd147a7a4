import type {
  AttachmentView,
  BulkTicketResult,
  CommentView,
  Page,
  TicketFieldValue,
  TicketFollowerView,
  TicketHistoryEntry,
  TicketLinkKind,
  TicketLinkView,
  TicketParticipantView,
  TicketPriority,
  TicketStatus,
  TicketView,
} from '@helpdesk/contracts';
import { api } from '../../../lib/api';
import { fetchAllPages } from '../../../lib/fetch-all-pages';
import { toQueryString } from '../../../lib/query-string';

/** GET /tickets parameters as the API takes them (comma lists for status and priority). */
export interface TicketListQuery {
  status?: string;
  priority?: string;
  assigneeId?: string;
  teamId?: string;
  tag?: string;
  requesterId?: string;
  breached?: boolean;
  /** Exactly this ticket number. */
  number?: number;
  q?: string;
  sort?: string;
  limit?: number;
  /** A saved view's id (its filters and sort; the others given here replace its own). */
  view?: string;
  /** Custom field filters (staff): `field.<key>=<value>`. */
  [fieldFilter: `field.${string}`]: string;
}

export const listTickets = (query: TicketListQuery, cursor?: string, signal?: AbortSignal) =>
  api.call<Page<TicketView>>(`/api/v1/tickets${toQueryString({ ...query, cursor })}`, { signal });

/** The ticket and its ETag (its version), for If-Match. */
export async function getTicket(id: string, signal?: AbortSignal): Promise<TicketView> {
  return api.call<TicketView>(`/api/v1/tickets/${encodeURIComponent(id)}`, { signal });
}

export interface TicketChanges {
  subject?: string;
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: string | null;
  teamId?: string | null;
  tags?: string[];
  /** Custom field values by key; null clears one. */
  fields?: Record<string, TicketFieldValue | null>;
}

/** PATCH with `If-Match: "<version>"`: the server answers 409 when someone changed the ticket since. */
export const updateTicket = (id: string, version: number, changes: TicketChanges) =>
  api.call<TicketView>(`/api/v1/tickets/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes, headers: { 'if-match': `"${version}"` } });

export interface NewTicketInput {
  subject: string;
  description: string;
  priority?: TicketPriority;
  tags?: string[];
  requesterEmail?: string;
  requesterName?: string;
}

export const createTicket = (body: NewTicketInput) => api.call<TicketView>('/api/v1/tickets', { method: 'POST', body });

export const listComments = (id: string, cursor?: string) =>
  api.call<Page<CommentView>>(`/api/v1/tickets/${encodeURIComponent(id)}/comments${toQueryString({ limit: 100, cursor })}`);

export const createComment = (id: string, body: { body: string; internal: boolean }) =>
  api.call<CommentView>(`/api/v1/tickets/${encodeURIComponent(id)}/comments`, { method: 'POST', body });

export const listHistory = (id: string, cursor?: string) =>
  api.call<Page<TicketHistoryEntry>>(`/api/v1/tickets/${encodeURIComponent(id)}/events${toQueryString({ limit: 100, cursor })}`);

export const listAttachments = (id: string, cursor?: string) =>
  api.call<Page<AttachmentView>>(`/api/v1/tickets/${encodeURIComponent(id)}/attachments${toQueryString({ limit: 100, cursor })}`);

export const attachmentUrl = (id: string) => `/api/v1/attachments/${encodeURIComponent(id)}`;

export const listParticipants = (id: string) => fetchAllPages<TicketParticipantView>(`/api/v1/tickets/${encodeURIComponent(id)}/participants`);

export const addParticipant = (id: string, body: { email: string; name?: string }) =>
  api.call<TicketParticipantView>(`/api/v1/tickets/${encodeURIComponent(id)}/participants`, { method: 'POST', body });

export const removeParticipant = (id: string, userId: string) =>
  api.call<void>(`/api/v1/tickets/${encodeURIComponent(id)}/participants/${encodeURIComponent(userId)}`, { method: 'DELETE' });

/** Merges the ticket into `targetId`; answers the target. */
export const mergeTicket = (id: string, targetId: string) => api.call<TicketView>(`/api/v1/tickets/${encodeURIComponent(id)}/merge`, { method: 'POST', body: { targetId } });

export const listLinks = (id: string) => fetchAllPages<TicketLinkView>(`/api/v1/tickets/${encodeURIComponent(id)}/links`);

/** `kind`: what the target is to this ticket. */
export const addLink = (id: string, body: { targetId: string; kind: TicketLinkKind }) =>
  api.call<TicketLinkView>(`/api/v1/tickets/${encodeURIComponent(id)}/links`, { method: 'POST', body });

export const removeLink = (id: string, targetId: string) => api.call<void>(`/api/v1/tickets/${encodeURIComponent(id)}/links/${encodeURIComponent(targetId)}`, { method: 'DELETE' });

export interface BulkChanges {
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: string | null;
}

/** One request for up to 100 tickets; each id gets its own result (200, or the refusal and its reason). */
export const bulkUpdateTickets = (ids: string[], changes: BulkChanges) => api.call<{ results: BulkTicketResult[] }>('/api/v1/tickets', { method: 'PATCH', body: { ids, changes } });
export const listFollowers = (id: string) => fetchAllPages<TicketFollowerView>(`/api/v1/tickets/${encodeURIComponent(id)}/followers`);

export const followTicket = (id: string) => api.call<TicketFollowerView>(`/api/v1/tickets/${encodeURIComponent(id)}/followers`, { method: 'POST' });

export const unfollowTicket = (id: string) => api.call<void>(`/api/v1/tickets/${encodeURIComponent(id)}/followers/me`, { method: 'DELETE' });
