import { addBusinessMinutes, addBusinessMinutesEach, businessMinutesBetween, type BusinessCalendar } from './business-calendar.js';

/** The minutes an SLA policy allows, counted in business time or in plain elapsed time. */
export interface SlaTargets {
  firstResponseMinutes: number;
  nextResponseMinutes: number | null;
  resolutionMinutes: number;
  businessHoursOnly: boolean;
}

export interface SlaDueTimes {
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  firstResponseWarningAt: Date;
  resolutionWarningAt: Date;
}

/** Share of a target after which `ticket.sla.warning` is emitted. */
export const WARNING_FRACTION = 0.8;

const MS_PER_MINUTE = 60_000;

/** When a target of `minutes` started at `start` is due. */
export function dueAt(start: Date, minutes: number, businessHoursOnly: boolean, calendar: BusinessCalendar): Date {
  if (businessHoursOnly) return addBusinessMinutes(start, minutes, calendar);
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`Target minutes must be a finite number >= 0, got ${minutes}.`);
  }
  return new Date(start.getTime() + Math.round(minutes * MS_PER_MINUTE));
}

/** When the same target reaches WARNING_FRACTION of its time, measured the same way. */
export function warningAt(start: Date, minutes: number, businessHoursOnly: boolean, calendar: BusinessCalendar): Date {
  return dueAt(start, minutes * WARNING_FRACTION, businessHoursOnly, calendar);
}

/** Target minutes (business or plain) elapsed in [from, to), e.g. the time a ticket spent in `pending`. */
export function elapsedTargetMinutes(from: Date, to: Date, businessHoursOnly: boolean, calendar: BusinessCalendar): number {
  if (businessHoursOnly) return businessMinutesBetween(from, to, calendar);
  return Math.max(0, (to.getTime() - from.getTime()) / MS_PER_MINUTE);
}

/** Moves a due time later by `pausedMinutes` of the same kind of time, as leaving `pending` does. */
export function shiftDueTime(due: Date, pausedMinutes: number, businessHoursOnly: boolean, calendar: BusinessCalendar): Date {
  // Without a pause the due time stays put, even at closing time where adding 0 business minutes would jump to the next opening.
  if (pausedMinutes === 0) return new Date(due.getTime());
  return dueAt(due, pausedMinutes, businessHoursOnly, calendar);
}

/**
 * Due and warning times counted from ticket creation. `pausedMinutes` already spent in `pending` extends
 * the resolution target, so recomputing after a priority change keeps the pause.
 */
export function initialDueTimes(createdAt: Date, targets: SlaTargets, calendar: BusinessCalendar, pausedMinutes = 0): SlaDueTimes {
  const { businessHoursOnly } = targets;
  const minutes = [targets.firstResponseMinutes, targets.firstResponseMinutes * WARNING_FRACTION, targets.resolutionMinutes, targets.resolutionMinutes * WARNING_FRACTION];
  // In business time the four are found in one walk of the calendar; dueAt and warningAt would walk it four times.
  const [firstResponseDueAt, firstResponseWarningAt, resolutionDueAt, resolutionWarningAt] = businessHoursOnly
    ? addBusinessMinutesEach(createdAt, minutes, calendar)
    : minutes.map((target) => dueAt(createdAt, target, false, calendar));
  return {
    firstResponseDueAt: firstResponseDueAt!,
    resolutionDueAt: shiftDueTime(resolutionDueAt!, pausedMinutes, businessHoursOnly, calendar),
    firstResponseWarningAt: firstResponseWarningAt!,
    resolutionWarningAt: shiftDueTime(resolutionWarningAt!, pausedMinutes, businessHoursOnly, calendar),
  };
}
