import quickselect from 'quickselect';
import type { MinutesSummary, SlaOutcome, SlaTargetCompliance } from '@helpdesk/contracts';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { elapsedTargetMinutes } from '../sla/sla-clock.js';

/** One ticket as the report reads it: its times, SLA marks and policy (docs/reports.md defines each figure). */
export interface ReportTicket {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  teamId: string | null;
  teamName: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  createdAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  slaPausedAt: Date | null;
  slaPausedMinutes: number;
  firstResponseDueAt: Date | null;
  firstResponseBreachedAt: Date | null;
  nextResponseDueAt: Date | null;
  nextResponseBreachedAt: Date | null;
  resolutionDueAt: Date | null;
  resolutionBreachedAt: Date | null;
  /** Null without an SLA policy: minutes are then calendar minutes. */
  businessHoursOnly: boolean | null;
  hasNextResponseTarget: boolean;
  /** The requester wrote publicly after the first response, so a next-response clock ran. */
  hadNextResponseWindow: boolean;
  csat: 'good' | 'bad' | null;
}

const FINISHED = ['solved', 'closed'];

function minutesBetween(ticket: ReportTicket, from: Date, to: Date, calendar: BusinessCalendar): number {
  return elapsedTargetMinutes(from, to, ticket.businessHoursOnly === true, calendar);
}

/** Created to first public agent reply, in the policy's kind of minutes. */
export function firstResponseMinutes(ticket: ReportTicket, calendar: BusinessCalendar): number | null {
  if (!ticket.firstRespondedAt) return null;
  return round1(minutesBetween(ticket, ticket.createdAt, ticket.firstRespondedAt, calendar));
}

/** Created to (last) solved, less the time waiting on the customer (`pending`) that the SLA clock did not count. */
export function resolutionMinutes(ticket: ReportTicket, calendar: BusinessCalendar): number | null {
  if (!ticket.resolvedAt) return null;
  const paused = ticket.businessHoursOnly === null ? 0 : ticket.slaPausedMinutes;
  return round1(Math.max(0, minutesBetween(ticket, ticket.createdAt, ticket.resolvedAt, calendar) - paused));
}

/** Met, breached, or null (no target, or not decided yet), per docs/reports.md "SLA compliance". */
export function firstResponseOutcome(ticket: ReportTicket, now: Date): SlaOutcome {
  const due = ticket.firstResponseDueAt;
  if (!due) return null;
  if (ticket.firstResponseBreachedAt) return 'breached';
  if (ticket.firstRespondedAt) return ticket.firstRespondedAt <= due ? 'met' : 'breached';
  // Never answered: past its target it is breached, even before the timer recorded it.
  const clockStoppedAt = ticket.resolvedAt ?? now;
  return clockStoppedAt > due ? 'breached' : null;
}

export function nextResponseOutcome(ticket: ReportTicket, now: Date): SlaOutcome {
  if (!ticket.hasNextResponseTarget) return null;
  if (ticket.nextResponseBreachedAt) return 'breached';
  if (ticket.nextResponseDueAt && !FINISHED.includes(ticket.status)) return ticket.nextResponseDueAt < now ? 'breached' : null;
  return ticket.hadNextResponseWindow ? 'met' : null;
}

export function resolutionOutcome(ticket: ReportTicket, now: Date): SlaOutcome {
  const due = ticket.resolutionDueAt;
  if (!due) return null;
  if (ticket.resolutionBreachedAt) return 'breached';
  if (ticket.resolvedAt) return ticket.resolvedAt <= due ? 'met' : 'breached';
  // Waiting on the customer: the due time moves when the ticket leaves `pending`, so it is not decided yet.
  if (ticket.slaPausedAt) return null;
  return due < now ? 'breached' : null;
}

/**
 * Median (mean of the two middle values for an even count) and p90 (nearest rank) of minutes given in
 * tenths (as each ticket's figure is rounded), one decimal: working in whole tenths keeps the result
 * free of floating-point noise, so every path that counts the same tickets gets the same figure.
 */
export function summarizeTenths(values: Int32Array): MinutesSummary {
  if (values.length === 0) return { median: null, p90: null };
  // Two order statistics, selected in linear time: sorting a year's million values cost about 100 ms per group.
  const selected = values.slice();
  const ordered = selected as unknown as number[];
  const middle = Math.floor(selected.length / 2);
  quickselect(ordered, middle);
  // Everything before `middle` is now no greater than it: the one just below is their largest.
  let below = -Infinity;
  for (let index = 0; index < middle; index += 1) below = Math.max(below, selected[index]!);
  const median = selected.length % 2 === 1 ? selected[middle]! : Math.round((below + selected[middle]!) / 2);
  const p90Index = Math.max(middle, Math.ceil(0.9 * selected.length) - 1);
  quickselect(ordered, p90Index, middle, selected.length - 1);
  return { median: median / 10, p90: selected[p90Index]! / 10 };
}

export function compliance(met: number, breached: number): SlaTargetCompliance {
  return { met, breached, percent: percentOf(met, met + breached) };
}

export function percentOf(part: number, whole: number): number | null {
  return whole === 0 ? null : round1((part / whole) * 100);
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
