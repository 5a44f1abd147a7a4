import { REALTIME_EVENT_TYPES, type EventEnvelope, type RealtimeEventType } from '@helpdesk/contracts';
import { rooms } from '../sockets/rooms.js';

/** Where one event goes: a socket in several of these rooms still receives it once. */
export interface EventRoute {
  type: RealtimeEventType;
  rooms: string[];
}

interface TicketRef {
  requesterId?: unknown;
}

/**
 * The user whose connections must end, for events saying the account changed under them
 * (deactivated, or another role, so other rooms): they were let in for the account as it was.
 */
export function userToDisconnect(event: EventEnvelope): string | undefined {
  if (event.type !== 'user.deactivated' && event.type !== 'user.role_changed') return undefined;
  const userId = (event.data as { userId?: unknown } | null)?.userId;
  return typeof userId === 'string' ? userId : undefined;
}

function isRealtimeEvent(type: string): type is RealtimeEventType {
  return (REALTIME_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * The rooms an event is pushed to, or undefined for events clients never see (invitations,
 * password resets). The organization room holds staff only, so anything staff-only (internal
 * comments and attachments of internal notes, SLA alerts, custom field changes, satisfaction ratings) goes there and nowhere else. Anything
 * whose `internal` flag is not exactly false is treated as internal.
 */
export function routeEvent(event: EventEnvelope): EventRoute | undefined {
  const { type } = event;
  if (!isRealtimeEvent(type) || typeof event.orgId !== 'string' || typeof event.aggregateId !== 'string') return undefined;
  const staff = rooms.org(event.orgId);
  const data = event.data as { ticket?: TicketRef; comment?: { internal?: unknown }; internal?: unknown; changes?: { fields?: unknown; followers?: unknown } };
  const everyone = (): EventRoute => {
    const requesterId = data.ticket?.requesterId;
    const targets = [staff, rooms.ticket(event.aggregateId)];
    if (typeof requesterId === 'string') targets.push(rooms.user(requesterId));
    return { type, rooms: targets };
  };
  switch (type) {
    case 'ticket.updated':
      // Custom field values, and who follows a ticket, are staff's business (customers see neither).
      return data.changes?.fields === undefined && data.changes?.followers === undefined ? everyone() : { type, rooms: [staff] };
    case 'ticket.created':
    case 'ticket.assigned':
    case 'ticket.status_changed':
      return everyone();
    case 'comment.created':
      return data.comment?.internal === false ? everyone() : { type, rooms: [staff] };
    case 'attachment.added':
      return data.internal === false ? everyone() : { type, rooms: [staff] };
    case 'ticket.sla.warning':
    case 'ticket.sla.breached':
    case 'ticket.satisfaction_rated':
      return { type, rooms: [staff] };
  }
}
