import type { SlaTarget, TicketSatisfactionView, TicketView } from '@helpdesk/contracts';
import type { Ticket } from './ticket.entity.js';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** The requester's rating as staff see it, null until they rate. */
export function satisfactionOf(ticket: Ticket): TicketSatisfactionView | null {
  if (!ticket.satisfactionRating || !ticket.satisfactionRatedAt) return null;
  return {
    rating: ticket.satisfactionRating,
    comment: ticket.satisfactionComment,
    ratedAt: ticket.satisfactionRatedAt.toISOString(),
    updatedAt: (ticket.satisfactionUpdatedAt ?? ticket.satisfactionRatedAt).toISOString(),
  };
}

/** The AI triage suggestion, custom field values and the satisfaction rating are for staff only (`forStaff`); events never carry them in `ticket`. */
export function toTicketView(ticket: Ticket, forStaff = false): TicketView {
  const breaches: Partial<Record<SlaTarget, string>> = {};
  if (ticket.firstResponseBreachedAt) breaches.first_response = ticket.firstResponseBreachedAt.toISOString();
  if (ticket.nextResponseBreachedAt) breaches.next_response = ticket.nextResponseBreachedAt.toISOString();
  if (ticket.resolutionBreachedAt) breaches.resolution = ticket.resolutionBreachedAt.toISOString();
  return {
    id: ticket.id,
    number: ticket.number,
    subject: ticket.subject,
    description: ticket.description,
    status: ticket.status,
    priority: ticket.priority,
    requestedPriority: ticket.requestedPriority ?? null,
    channel: ticket.channel,
    tags: ticket.tags,
    requesterId: ticket.requesterId,
    assigneeId: ticket.assigneeId,
    teamId: ticket.teamId,
    slaPolicyId: ticket.slaPolicyId,
    firstResponseDueAt: iso(ticket.firstResponseDueAt),
    firstRespondedAt: iso(ticket.firstRespondedAt),
    nextResponseDueAt: iso(ticket.nextResponseDueAt),
    resolutionDueAt: iso(ticket.resolutionDueAt),
    resolvedAt: iso(ticket.resolvedAt),
    breaches,
    version: ticket.version,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    ...(forStaff ? { aiTriage: ticket.aiTriage, fields: ticket.fields ?? {}, satisfaction: satisfactionOf(ticket) } : {}),
  };
}

/** What ticket events carry: enough to route and render a notification, without the description. */
export function ticketEventData(ticket: Ticket) {
  const { description: _description, ...summary } = toTicketView(ticket);
  return summary;
}
