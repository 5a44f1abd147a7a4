import type { BusinessCalendar } from './business-calendar.js';
import { dueAt, elapsedTargetMinutes, initialDueTimes, shiftDueTime, warningAt } from './sla-clock.js';
import type { SlaPolicy } from './sla-policy.entity.js';
import type { Ticket } from '../tickets/ticket.entity.js';

/**
 * The SLA rules of DESIGN section 5, as changes to a ticket's clock fields. Pure: the caller loads
 * and saves the ticket; the timers act on the fields set here.
 */

function targetsOf(policy: SlaPolicy) {
  return {
    firstResponseMinutes: policy.firstResponseMinutes,
    nextResponseMinutes: policy.nextResponseMinutes,
    resolutionMinutes: policy.resolutionMinutes,
    businessHoursOnly: policy.businessHoursOnly,
  };
}

/** On creation and on a priority change: the policy for the priority, due times computed from creation. */
export function applyPriorityPolicy(ticket: Ticket, policy: SlaPolicy | null, calendar: BusinessCalendar): void {
  ticket.slaPolicyId = policy?.id ?? null;
  if (!policy) {
    ticket.firstResponseDueAt = ticket.firstResponseWarningAt = null;
    ticket.resolutionDueAt = ticket.resolutionWarningAt = null;
    ticket.nextResponseDueAt = ticket.nextResponseWarningAt = null;
    return;
  }
  const due = initialDueTimes(ticket.createdAt, targetsOf(policy), calendar, ticket.slaPausedMinutes);
  ticket.firstResponseDueAt = due.firstResponseDueAt;
  ticket.firstResponseWarningAt = due.firstResponseWarningAt;
  ticket.resolutionDueAt = due.resolutionDueAt;
  ticket.resolutionWarningAt = due.resolutionWarningAt;
  // A pause in progress keeps counting: the due times move again when the ticket leaves `pending`.
}

/** Entering `pending` (waiting on the customer) stops the resolution clock. */
export function pauseResolutionClock(ticket: Ticket, now: Date): void {
  ticket.slaPausedAt ??= now;
}

/** Leaving `pending` moves the resolution due time (and its warning) by the paused time. */
export function resumeResolutionClock(ticket: Ticket, now: Date, calendar: BusinessCalendar, businessHoursOnly = true): void {
  if (!ticket.slaPausedAt) return;
  const paused = elapsedTargetMinutes(ticket.slaPausedAt, now, businessHoursOnly, calendar);
  ticket.slaPausedMinutes += paused;
  if (ticket.resolutionDueAt) ticket.resolutionDueAt = shiftDueTime(ticket.resolutionDueAt, paused, businessHoursOnly, calendar);
  if (ticket.resolutionWarningAt) ticket.resolutionWarningAt = shiftDueTime(ticket.resolutionWarningAt, paused, businessHoursOnly, calendar);
  ticket.slaPausedAt = null;
}

/** A public agent reply satisfies the first response, or the pending next response. */
export function recordAgentReply(ticket: Ticket, now: Date): void {
  ticket.firstRespondedAt ??= now;
  ticket.nextResponseDueAt = null;
  ticket.nextResponseWarningAt = null;
}

/** The requester writing again after an agent's reply starts a next-response clock, if the policy has one. */
export function recordRequesterReply(ticket: Ticket, policy: SlaPolicy | null, now: Date, calendar: BusinessCalendar): void {
  if (!policy?.nextResponseMinutes || !ticket.firstRespondedAt || ticket.nextResponseDueAt) return;
  ticket.nextResponseDueAt = dueAt(now, policy.nextResponseMinutes, policy.businessHoursOnly, calendar);
  ticket.nextResponseWarningAt = warningAt(now, policy.nextResponseMinutes, policy.businessHoursOnly, calendar);
  // Earlier windows' warning and breach stay recorded: the timers treat a mark older than this window's time as not yet given.
}
