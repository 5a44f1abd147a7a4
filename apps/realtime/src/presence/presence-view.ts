import { isStaff, type PresenceUser, type Role, type TicketPresence, type TypingUser } from '@helpdesk/contracts';

/** One socket viewing a ticket, as stored in Redis by whichever replica holds the socket. */
export interface ViewerEntry extends PresenceUser {
  socketId: string;
}

export interface TypingEntry extends ViewerEntry {
  internal: boolean;
}

/** Everyone viewing and typing on one ticket, across all replicas, expired entries left out. */
export interface PresenceSnapshot {
  viewers: ViewerEntry[];
  typing: TypingEntry[];
}

const byUserId = (a: PresenceUser, b: PresenceUser) => a.userId.localeCompare(b.userId);

/**
 * What a user in the ticket's room is shown. Staff see every viewer and typist once per user (a
 * user typing a public reply in any tab counts as public). Customers never learn who on the staff
 * is looking or writing internal notes: only whether an agent is writing a public reply.
 */
export function presenceFor(role: Role, ticketId: string, snapshot: PresenceSnapshot): TicketPresence {
  if (!isStaff(role)) {
    return { ticketId, scope: 'customer', agentTyping: snapshot.typing.some((entry) => isStaff(entry.role) && !entry.internal) };
  }
  const viewers = new Map<string, PresenceUser>();
  for (const { userId, role: viewerRole } of snapshot.viewers) viewers.set(userId, { userId, role: viewerRole });
  const typing = new Map<string, TypingUser>();
  for (const { userId, role: typistRole, internal } of snapshot.typing) {
    const seen = typing.get(userId);
    typing.set(userId, { userId, role: typistRole, internal: (seen?.internal ?? true) && internal });
  }
  return { ticketId, scope: 'staff', viewers: [...viewers.values()].sort(byUserId), typing: [...typing.values()].sort(byUserId) };
}
