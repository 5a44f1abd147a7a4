import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening hours on the local wall clock, "HH:mm" in 24h; `end` may be "24:00" and must be after `start`. */
export interface BusinessHoursInterval {
  start: string;
  end: string;
}

export type WeeklySchedule = Partial<Record<Weekday, BusinessHoursInterval[]>>;

export interface BusinessCalendar {
  /** IANA time zone name, e.g. "Europe/Berlin". */
  timezone: string;
  businessHours: WeeklySchedule;
  /** Local dates ("YYYY-MM-DD") on which no business time counts. */
  holidays: string[];
}

export const DEFAULT_BUSINESS_HOURS: WeeklySchedule = {
  mon: [{ start: '09:00', end: '17:00' }],
  tue: [{ start: '09:00', end: '17:00' }],
  wed: [{ start: '09:00', end: '17:00' }],
  thu: [{ start: '09:00', end: '17:00' }],
  fri: [{ start: '09:00', end: '17:00' }],
};

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
// Searching for business time gives up after this long without finding any, so a calendar whose
// holidays block everything fails loudly instead of hanging a request or a job.
const SEARCH_WINDOW_DAYS = 400;

const TIME_OF_DAY = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Local dates are handled as wall-clock milliseconds: the local date and time read as if it were UTC.
const WALL_CLOCK = FixedOffsetZone.utcInstance;

/** An interval as minutes after local midnight. */
interface OpeningMinutes {
  startMinute: number;
  endMinute: number;
}

interface PreparedCalendar {
  zone: Zone;
  /** UTC offsets of `zone` by UTC day, filled as days are used (see offsetMsAt). */
  offsetsByDay: Map<number, DayOffsets>;
  /** Indexed by weekday, Monday first, sorted by start. */
  openingsByWeekday: OpeningMinutes[][];
  /** Local midnights of the holidays, as wall-clock milliseconds. */
  holidayMidnights: ReadonlySet<number>;
}

/** Real time [startMs, endMs) in epoch milliseconds during which business time counts. */
interface BusinessSpan {
  startMs: number;
  endMs: number;
}

/**
 * The instant at which `minutes` of business time have elapsed after `start`. Business time is real
 * elapsed time while the local wall clock is inside an interval of its weekday on a non-holiday, so
 * skipped local times (spring forward) never count and repeated ones (fall back) count each time.
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar): Date {
  return addBusinessMinutesEach(start, [minutes], calendar)[0]!;
}

/**
 * `addBusinessMinutes` for several targets from the same start, in one walk of the calendar: a new
 * ticket's four SLA times cost one walk instead of four (it was a fifth of the ticket service's CPU
 * per created ticket).
 */
export function addBusinessMinutesEach(start: Date, minutesList: number[], calendar: BusinessCalendar): Date[] {
  assertValidInstant(start, 'start');
  for (const minutes of minutesList) {
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new RangeError(`Business minutes must be a finite number >= 0, got ${minutes}.`);
    }
  }
  const prepared = prepareCalendar(calendar);
  // The targets in increasing order, each with its place in the answer.
  const targets = minutesList.map((minutes, index) => ({ ms: Math.round(minutes * MS_PER_MINUTE), index })).sort((a, b) => a.ms - b.ms);
  const due: Date[] = new Array(minutesList.length);
  let next = 0;
  let elapsedMs = 0;
  if (targets.length === 0) return due;
  const windowMs = SEARCH_WINDOW_DAYS * MS_PER_DAY;
  for (let windowStartMs = start.getTime(); ; windowStartMs += windowMs) {
    let windowHasBusinessTime = false;
    for (const span of businessSpans(windowStartMs, windowStartMs + windowMs, prepared)) {
      windowHasBusinessTime = true;
      const spanMs = span.endMs - span.startMs;
      // `<=` so a target ending exactly at closing time is due at closing, not at the next opening.
      for (; next < targets.length && targets[next]!.ms - elapsedMs <= spanMs; next += 1) {
        due[targets[next]!.index] = new Date(span.startMs + targets[next]!.ms - elapsedMs);
      }
      if (next === targets.length) return due;
      elapsedMs += spanMs;
    }
    if (!windowHasBusinessTime) {
      throw new Error(
        `Business calendar (${calendar.timezone}) has no business time in the ${SEARCH_WINDOW_DAYS} days after ` +
          `${new Date(windowStartMs).toISOString()}: its holidays cover every day with business hours.`,
      );
    }
  }
}

/** Real minutes of business time in [from, to), possibly fractional; 0 when `to` is not after `from`. */
export function businessMinutesBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  assertValidInstant(from, 'from');
  assertValidInstant(to, 'to');
  const prepared = prepareCalendar(calendar);
  if (to.getTime() <= from.getTime()) return 0;
  let businessMs = 0;
  for (const span of businessSpans(from.getTime(), to.getTime(), prepared)) {
    businessMs += span.endMs - span.startMs;
  }
  return businessMs / MS_PER_MINUTE;
}

/** Human-readable problems with a calendar; empty when it can be used for SLA arithmetic. */
export function validateCalendar(calendar: BusinessCalendar): string[] {
  const problems: string[] = [];
  // IANAZone.create memoizes IANAZone.isValidZone, which costs a fresh Intl.DateTimeFormat per call.
  if (!IANAZone.create(calendar.timezone).isValid) {
    problems.push(`Unknown time zone "${calendar.timezone}": use an IANA name such as "Europe/Berlin".`);
  }
  let hasBusinessHours = false;
  for (const [day, intervals] of Object.entries(calendar.businessHours)) {
    if (!isWeekday(day)) {
      problems.push(`Unknown weekday "${day}": use one of ${WEEKDAYS.join(', ')}.`);
      continue;
    }
    // Stored schedules are JSON, where a closed day may be null rather than absent.
    const dayIntervals = intervals ?? [];
    problems.push(...readDaySchedule(day, dayIntervals).problems);
    hasBusinessHours ||= dayIntervals.length > 0;
  }
  if (!hasBusinessHours) {
    problems.push('Business hours are empty: at least one weekday needs an interval.');
  }
  for (const holiday of calendar.holidays) {
    if (parseHoliday(holiday) === undefined) {
      problems.push(`Holiday "${holiday}" is not a calendar date in the form YYYY-MM-DD.`);
    }
  }
  return problems;
}

/** Parses one weekday's intervals into sorted openings, reporting malformed and overlapping ones. */
function readDaySchedule(
  day: Weekday,
  intervals: BusinessHoursInterval[],
): { openings: OpeningMinutes[]; problems: string[] } {
  const problems: string[] = [];
  const wellFormed: { interval: BusinessHoursInterval; opening: OpeningMinutes }[] = [];
  for (const interval of intervals) {
    const startMinute = parseTimeOfDay(interval.start);
    const endMinute = parseTimeOfDay(interval.end);
    if (startMinute === undefined) problems.push(`${day}: start "${interval.start}" is not a time in the form HH:mm.`);
    if (endMinute === undefined) problems.push(`${day}: end "${interval.end}" is not a time in the form HH:mm.`);
    if (startMinute === undefined || endMinute === undefined) continue;
    if (endMinute <= startMinute) {
      problems.push(`${day}: interval ${interval.start}-${interval.end} must end after it starts.`);
      continue;
    }
    wellFormed.push({ interval, opening: { startMinute, endMinute } });
  }
  wellFormed.sort((a, b) => a.opening.startMinute - b.opening.startMinute);
  for (let index = 1, latestEnding = wellFormed[0]; index < wellFormed.length; index++) {
    const current = wellFormed[index];
    if (current.opening.startMinute < latestEnding.opening.endMinute) {
      problems.push(
        `${day}: intervals ${latestEnding.interval.start}-${latestEnding.interval.end} and ` +
          `${current.interval.start}-${current.interval.end} overlap.`,
      );
    }
    if (current.opening.endMinute > latestEnding.opening.endMinute) latestEnding = current;
  }
  return { openings: wellFormed.map(({ opening }) => opening), problems };
}

/** The offsets at a UTC day's start and end and, when they differ, the first instant of the second. */
interface DayOffsets {
  startMs: number;
  endMs: number;
  changeMs: number;
}

const OFFSET_DAYS_KEPT = 20_000;

/** Prepared calendars by the object passed (a report counts thousands of tickets with one; calendarOf builds a new object for every read), then by content. */
const preparedByObject = new WeakMap<BusinessCalendar, PreparedCalendar>();
/** Prepared calendars by content: an organization's calendar is read afresh for every ticket, and preparing it (validation included) cost more than using it. */
const preparedCalendars = new Map<string, PreparedCalendar>();
const PREPARED_CALENDARS_KEPT = 1_000;

function prepareCalendar(calendar: BusinessCalendar): PreparedCalendar {
  const known = preparedByObject.get(calendar);
  if (known) return known;
  const key = JSON.stringify([calendar.timezone, calendar.businessHours, calendar.holidays]);
  let prepared = preparedCalendars.get(key);
  if (!prepared) {
    prepared = prepareCalendarNow(calendar);
    // Bounded: forgetting all of them now and then costs one preparation per calendar.
    if (preparedCalendars.size >= PREPARED_CALENDARS_KEPT) preparedCalendars.clear();
    preparedCalendars.set(key, prepared);
  }
  preparedByObject.set(calendar, prepared);
  return prepared;
}

function prepareCalendarNow(calendar: BusinessCalendar): PreparedCalendar {
  const problems = validateCalendar(calendar);
  if (problems.length > 0) {
    throw new Error(`Invalid business calendar: ${problems.join(' ')}`);
  }
  return {
    zone: IANAZone.create(calendar.timezone),
    offsetsByDay: new Map(),
    openingsByWeekday: WEEKDAYS.map((day) => readDaySchedule(day, calendar.businessHours[day] ?? []).openings),
    holidayMidnights: new Set(calendar.holidays.map(parseHoliday).filter((midnight) => midnight !== undefined)),
  };
}

/**
 * Yields, in order, the business spans inside [fromMs, untilMs). Real time is walked in stretches that
 * share one local date and one UTC offset; inside a stretch wall clock = real time + offset exactly,
 * which turns each interval into a real span without guessing how a DST gap or overlap resolves.
 */
function* businessSpans(fromMs: number, untilMs: number, calendar: PreparedCalendar): Generator<BusinessSpan> {
  let cursorMs = fromMs;
  let offsetMs = offsetMsAt(calendar, cursorMs);
  while (cursorMs < untilMs) {
    // Wall-clock milliseconds are UTC-like: the local midnight and weekday are plain arithmetic (a luxon DateTime per day cost more).
    const localMidnightMs = Math.floor((cursorMs + offsetMs) / MS_PER_DAY) * MS_PER_DAY;
    const weekdayIndex = (new Date(localMidnightMs).getUTCDay() + 6) % 7;
    let stretchEndMs = Math.min(localMidnightMs + MS_PER_DAY - offsetMs, untilMs);
    let offsetAtEndMs = offsetMsAt(calendar, stretchEndMs);
    if (offsetAtEndMs !== offsetMs) {
      stretchEndMs = firstOffsetChange(calendar, cursorMs, stretchEndMs);
      offsetAtEndMs = offsetMsAt(calendar, stretchEndMs);
    }
    if (!calendar.holidayMidnights.has(localMidnightMs)) {
      for (const opening of calendar.openingsByWeekday[weekdayIndex]!) {
        const startMs = Math.max(cursorMs, localMidnightMs + opening.startMinute * MS_PER_MINUTE - offsetMs);
        const endMs = Math.min(stretchEndMs, localMidnightMs + opening.endMinute * MS_PER_MINUTE - offsetMs);
        if (startMs < endMs) yield { startMs, endMs };
      }
    }
    cursorMs = stretchEndMs;
    offsetMs = offsetAtEndMs;
  }
}

/**
 * The first instant in (fromMs, untilMs] whose UTC offset differs from the one at fromMs, given that the
 * offset at untilMs differs. Stretches span at most a day, and no zone changes its offset and back within one.
 */
function firstOffsetChange(calendar: PreparedCalendar, fromMs: number, untilMs: number): number {
  const offset = offsetMsAt(calendar, fromMs);
  let unchangedMs = fromMs;
  let changedMs = untilMs;
  while (changedMs - unchangedMs > 1) {
    const middleMs = Math.floor((unchangedMs + changedMs) / 2);
    if (offsetMsAt(calendar, middleMs) === offset) unchangedMs = middleMs;
    else changedMs = middleMs;
  }
  return changedMs;
}

/**
 * The zone's UTC offset at an instant, from a cache by UTC day: asking luxon costs microseconds (Intl
 * formatting) and counting a year of tickets asks millions of times. A day is asked twice (its start
 * and end) and, only when they differ, searched once for the change; like firstOffsetChange, this
 * relies on no zone changing its offset twice within a day.
 */
function offsetMsAt(calendar: PreparedCalendar, instantMs: number): number {
  const day = Math.floor(instantMs / MS_PER_DAY);
  let offsets = calendar.offsetsByDay.get(day);
  if (!offsets) {
    const dayStartMs = day * MS_PER_DAY;
    const startMs = zoneOffsetMs(calendar.zone, dayStartMs);
    const endMs = zoneOffsetMs(calendar.zone, dayStartMs + MS_PER_DAY - 1);
    let changeMs = dayStartMs + MS_PER_DAY;
    if (startMs !== endMs) {
      let unchangedMs = dayStartMs;
      let changedMs = dayStartMs + MS_PER_DAY - 1;
      while (changedMs - unchangedMs > 1) {
        const middleMs = Math.floor((unchangedMs + changedMs) / 2);
        if (zoneOffsetMs(calendar.zone, middleMs) === startMs) unchangedMs = middleMs;
        else changedMs = middleMs;
      }
      changeMs = changedMs;
    }
    offsets = { startMs, endMs, changeMs };
    if (calendar.offsetsByDay.size >= OFFSET_DAYS_KEPT) calendar.offsetsByDay.clear();
    calendar.offsetsByDay.set(day, offsets);
  }
  return instantMs < offsets.changeMs ? offsets.startMs : offsets.endMs;
}

function zoneOffsetMs(zone: Zone, instantMs: number): number {
  return zone.offset(instantMs) * MS_PER_MINUTE;
}

/** The holiday's local midnight as wall-clock milliseconds, or undefined when it is not a real date. */
function parseHoliday(holiday: string): number | undefined {
  const match = ISO_DATE.exec(holiday);
  if (!match) return undefined;
  const [, year, month, day] = match.map(Number);
  const date = DateTime.fromObject({ year, month, day }, { zone: WALL_CLOCK });
  return date.isValid ? date.toMillis() : undefined;
}

function parseTimeOfDay(time: string): number | undefined {
  const match = TIME_OF_DAY.exec(time);
  if (!match) return undefined;
  if (match[1] === undefined) return 24 * 60;
  return Number(match[1]) * 60 + Number(match[2]);
}

function isWeekday(day: string): day is Weekday {
  return (WEEKDAYS as readonly string[]).includes(day);
}

function assertValidInstant(instant: Date, name: string): void {
  if (Number.isNaN(instant.getTime())) throw new RangeError(`${name} is not a valid date.`);
}
