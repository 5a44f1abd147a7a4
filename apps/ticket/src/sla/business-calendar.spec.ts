import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  addBusinessMinutesEach,
  type BusinessCalendar,
  type BusinessHoursInterval,
  businessMinutesBetween,
  DEFAULT_BUSINESS_HOURS,
  validateCalendar,
  WEEKDAYS,
  type WeeklySchedule,
} from './business-calendar.js';

// Local times in the test names; instants in UTC. Berlin is UTC+1 (CET) in winter and UTC+2 (CEST)
// from 29 Mar to 25 Oct 2026; New York is UTC-5 (EST) / UTC-4 (EDT) from 8 Mar to 1 Nov 2026.

const berlinOffice: BusinessCalendar = {
  timezone: 'Europe/Berlin',
  businessHours: DEFAULT_BUSINESS_HOURS,
  holidays: ['2026-04-03', '2026-04-06', '2026-12-24', '2026-12-25'],
};

const berlinWithLunchBreak: BusinessCalendar = {
  timezone: 'Europe/Berlin',
  businessHours: Object.fromEntries(
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => [
      day,
      [
        { start: '09:00', end: '12:00' },
        { start: '13:00', end: '17:00' },
      ],
    ]),
  ),
  holidays: [],
};

function everyDay(interval: BusinessHoursInterval): WeeklySchedule {
  return Object.fromEntries(WEEKDAYS.map((day) => [day, [interval]]));
}

const nineToFiveEveryDay = (timezone: string): BusinessCalendar => ({
  timezone,
  businessHours: everyDay({ start: '09:00', end: '17:00' }),
  holidays: [],
});

const allDaySundays = (timezone: string): BusinessCalendar => ({
  timezone,
  businessHours: { sun: [{ start: '00:00', end: '24:00' }] },
  holidays: [],
});

const officeIn = (timezone: string): BusinessCalendar => ({ timezone, businessHours: DEFAULT_BUSINESS_HOURS, holidays: [] });

const berlinSkippedHourInterval: BusinessCalendar = {
  timezone: 'Europe/Berlin',
  businessHours: { sun: [{ start: '02:30', end: '04:00' }] },
  holidays: [],
};

const berlinRepeatedHourInterval: BusinessCalendar = {
  timezone: 'Europe/Berlin',
  businessHours: { sun: [{ start: '02:00', end: '02:30' }] },
  holidays: [],
};

function add(start: string, minutes: number, calendar: BusinessCalendar): string {
  return addBusinessMinutes(new Date(start), minutes, calendar).toISOString();
}

describe('addBusinessMinutes', () => {
  describe('in a Berlin office open Mon-Fri 09:00-17:00 with Easter and Christmas holidays', () => {
    it.each([
      ['inside hours: Tue 10:00 + 60 is Tue 11:00', '2026-02-10T09:00:00.000Z', 60, '2026-02-10T10:00:00.000Z'],
      ['ending exactly at closing: Tue 16:00 + 60 is Tue 17:00', '2026-02-10T15:00:00.000Z', 60, '2026-02-10T16:00:00.000Z'],
      ['before opening: Tue 07:30 + 30 is Tue 09:30', '2026-02-10T06:30:00.000Z', 30, '2026-02-10T08:30:00.000Z'],
      ['after closing: Tue 18:00 + 30 is Wed 09:30', '2026-02-10T17:00:00.000Z', 30, '2026-02-11T08:30:00.000Z'],
      ['over night: Tue 16:30 + 60 is Wed 09:30', '2026-02-10T15:30:00.000Z', 60, '2026-02-11T08:30:00.000Z'],
      ['on a weekend: Sat 12:00 + 60 is Mon 10:00', '2026-02-14T11:00:00.000Z', 60, '2026-02-16T09:00:00.000Z'],
      ['over a weekend: Fri 16:00 + 120 is Mon 10:00', '2026-02-13T15:00:00.000Z', 120, '2026-02-16T09:00:00.000Z'],
      ['over several days: Wed 13:00 + 960 is Fri 13:00', '2026-02-11T12:00:00.000Z', 960, '2026-02-13T12:00:00.000Z'],
      ['a whole week: Mon 09:00 + 2400 is Fri 17:00', '2026-02-09T08:00:00.000Z', 2400, '2026-02-13T16:00:00.000Z'],
      ['on a holiday: Good Friday 10:00 + 60 is Tue 7 Apr 10:00', '2026-04-03T08:00:00.000Z', 60, '2026-04-07T08:00:00.000Z'],
      ['over Easter: Thu 2 Apr 16:00 + 120 is Tue 7 Apr 10:00', '2026-04-02T14:00:00.000Z', 120, '2026-04-07T08:00:00.000Z'],
      ['over Christmas: Wed 23 Dec 16:00 + 120 is Mon 28 Dec 10:00', '2026-12-23T15:00:00.000Z', 120, '2026-12-28T09:00:00.000Z'],
      ['a fraction of a minute: Tue 10:00 + 0.5 is Tue 10:00:30', '2026-02-10T09:00:00.000Z', 0.5, '2026-02-10T09:00:30.000Z'],
    ])('%s', (_case, start, minutes, expected) => {
      expect(add(start, minutes, berlinOffice)).toBe(expected);
    });
  });

  describe('with zero minutes', () => {
    it.each([
      ['inside hours stays at Tue 10:15', '2026-02-10T09:15:00.000Z', '2026-02-10T09:15:00.000Z'],
      ['at opening stays at Tue 09:00', '2026-02-10T08:00:00.000Z', '2026-02-10T08:00:00.000Z'],
      ['at closing Tue 17:00 moves to Wed 09:00', '2026-02-10T16:00:00.000Z', '2026-02-11T08:00:00.000Z'],
      ['before opening Tue 06:00 moves to Tue 09:00', '2026-02-10T05:00:00.000Z', '2026-02-10T08:00:00.000Z'],
      ['on a weekend Sat 11:00 moves to Mon 09:00', '2026-02-14T10:00:00.000Z', '2026-02-16T08:00:00.000Z'],
      ['on Good Friday moves past Easter Monday to Tue 7 Apr 09:00', '2026-04-03T08:00:00.000Z', '2026-04-07T07:00:00.000Z'],
    ])('%s', (_case, start, expected) => {
      expect(add(start, 0, berlinOffice)).toBe(expected);
    });
  });

  describe('with a lunch break (09:00-12:00 and 13:00-17:00)', () => {
    it.each([
      ['skips lunch: Tue 11:30 + 60 is Tue 13:30', '2026-02-10T10:30:00.000Z', 60, '2026-02-10T12:30:00.000Z'],
      ['starts after lunch: Tue 12:15 + 15 is Tue 13:15', '2026-02-10T11:15:00.000Z', 15, '2026-02-10T12:15:00.000Z'],
      ['ends as lunch starts: Tue 11:00 + 60 is Tue 12:00', '2026-02-10T10:00:00.000Z', 60, '2026-02-10T11:00:00.000Z'],
      ['zero minutes during lunch: Tue 12:30 is Tue 13:00', '2026-02-10T11:30:00.000Z', 0, '2026-02-10T12:00:00.000Z'],
      ['a full day is 7 h: Tue 09:00 + 420 is Tue 17:00', '2026-02-10T08:00:00.000Z', 420, '2026-02-10T16:00:00.000Z'],
      ['over night: Tue 16:00 + 420 is Wed 16:00', '2026-02-10T15:00:00.000Z', 420, '2026-02-11T15:00:00.000Z'],
    ])('%s', (_case, start, minutes, expected) => {
      expect(add(start, minutes, berlinWithLunchBreak)).toBe(expected);
    });
  });

  describe('on DST days with 09:00-17:00 every day (the clocks change at night: still 8 h)', () => {
    it.each([
      ['Berlin spring forward: Sun 29 Mar 09:00 CEST + 480 is 17:00 CEST', 'Europe/Berlin', '2026-03-29T07:00:00.000Z', 480, '2026-03-29T15:00:00.000Z'],
      ['Berlin spring forward: Sat 16:00 CET + 120 is Sun 10:00 CEST', 'Europe/Berlin', '2026-03-28T15:00:00.000Z', 120, '2026-03-29T08:00:00.000Z'],
      ['Berlin fall back: Sun 25 Oct 09:00 CET + 480 is 17:00 CET', 'Europe/Berlin', '2026-10-25T08:00:00.000Z', 480, '2026-10-25T16:00:00.000Z'],
      ['Berlin fall back: Sat 16:00 CEST + 120 is Sun 10:00 CET', 'Europe/Berlin', '2026-10-24T14:00:00.000Z', 120, '2026-10-25T09:00:00.000Z'],
      ['New York spring forward: Sun 8 Mar 09:00 EDT + 480 is 17:00 EDT', 'America/New_York', '2026-03-08T13:00:00.000Z', 480, '2026-03-08T21:00:00.000Z'],
      ['New York spring forward: Sat 16:00 EST + 120 is Sun 10:00 EDT', 'America/New_York', '2026-03-07T21:00:00.000Z', 120, '2026-03-08T14:00:00.000Z'],
      ['New York fall back: Sun 1 Nov 09:00 EST + 480 is 17:00 EST', 'America/New_York', '2026-11-01T14:00:00.000Z', 480, '2026-11-01T22:00:00.000Z'],
      ['New York fall back: Sat 16:00 EDT + 120 is Sun 10:00 EST', 'America/New_York', '2026-10-31T20:00:00.000Z', 120, '2026-11-01T15:00:00.000Z'],
    ])('%s', (_case, timezone, start, minutes, expected) => {
      expect(add(start, minutes, nineToFiveEveryDay(timezone))).toBe(expected);
    });
  });

  describe('over DST weekends in a Mon-Fri 09:00-17:00 office', () => {
    it.each([
      ['Berlin: Fri 27 Mar 16:00 CET + 120 is Mon 10:00 CEST', 'Europe/Berlin', '2026-03-27T15:00:00.000Z', '2026-03-30T08:00:00.000Z'],
      ['Berlin: Fri 23 Oct 16:00 CEST + 120 is Mon 10:00 CET', 'Europe/Berlin', '2026-10-23T14:00:00.000Z', '2026-10-26T09:00:00.000Z'],
      ['New York: Fri 6 Mar 16:00 EST + 120 is Mon 10:00 EDT', 'America/New_York', '2026-03-06T21:00:00.000Z', '2026-03-09T14:00:00.000Z'],
      ['New York: Fri 30 Oct 16:00 EDT + 120 is Mon 10:00 EST', 'America/New_York', '2026-10-30T20:00:00.000Z', '2026-11-02T15:00:00.000Z'],
    ])('%s', (_case, timezone, start, expected) => {
      expect(add(start, 120, officeIn(timezone))).toBe(expected);
    });
  });

  describe('on DST days open 00:00-24:00 (the clocks change inside the interval: 23 h or 25 h)', () => {
    it.each([
      ['Berlin spring forward: 23 h fill Sunday, due at Mon 00:00 CEST', 'Europe/Berlin', '2026-03-28T12:00:00.000Z', 1380, '2026-03-29T22:00:00.000Z'],
      ['Berlin spring forward: minute 1381 falls on the next Sunday, 00:01 CEST', 'Europe/Berlin', '2026-03-28T12:00:00.000Z', 1381, '2026-04-04T22:01:00.000Z'],
      ['Berlin spring forward: 2 h after midnight the clock reads 03:00 CEST', 'Europe/Berlin', '2026-03-28T23:00:00.000Z', 120, '2026-03-29T01:00:00.000Z'],
      ['Berlin fall back: 25 h fill Sunday, due at Mon 00:00 CET', 'Europe/Berlin', '2026-10-24T12:00:00.000Z', 1500, '2026-10-25T23:00:00.000Z'],
      ['Berlin fall back: 24 h after midnight the clock reads only 23:00 CET', 'Europe/Berlin', '2026-10-24T12:00:00.000Z', 1440, '2026-10-25T22:00:00.000Z'],
      ['New York spring forward: 23 h fill Sunday, due at Mon 00:00 EDT', 'America/New_York', '2026-03-07T12:00:00.000Z', 1380, '2026-03-09T04:00:00.000Z'],
      ['New York fall back: 25 h fill Sunday, due at Mon 00:00 EST', 'America/New_York', '2026-10-31T12:00:00.000Z', 1500, '2026-11-02T05:00:00.000Z'],
      ['New York fall back: 2 h after midnight the clock reads 01:00 EST, the second 01:00', 'America/New_York', '2026-11-01T04:00:00.000Z', 120, '2026-11-01T06:00:00.000Z'],
    ])('%s', (_case, timezone, start, minutes, expected) => {
      expect(add(start, minutes, allDaySundays(timezone))).toBe(expected);
    });
  });

  describe('with interval edges inside the DST change', () => {
    it('opens at 03:00 CEST when the interval starts at the skipped local time 02:30', () => {
      expect(add('2026-03-28T12:00:00.000Z', 0, berlinSkippedHourInterval)).toBe('2026-03-29T01:00:00.000Z');
    });

    it('counts the repeated 02:00-02:30 twice: 45 min end at the second 02:15 (CET)', () => {
      expect(add('2026-10-24T12:00:00.000Z', 45, berlinRepeatedHourInterval)).toBe('2026-10-25T01:15:00.000Z');
    });
  });

  describe('in zones with non-hour offsets', () => {
    it.each([
      ['Kolkata (UTC+05:30): Tue 16:30 + 60 is Wed 09:30', 'Asia/Kolkata', '2026-02-10T11:00:00.000Z', 60, '2026-02-11T04:00:00.000Z'],
      ['Kolkata: Fri 17:00 + 0 is Mon 09:00', 'Asia/Kolkata', '2026-02-13T11:30:00.000Z', 0, '2026-02-16T03:30:00.000Z'],
      ['Kolkata: Sat 05:30 + 480 is Mon 17:00', 'Asia/Kolkata', '2026-02-14T00:00:00.000Z', 480, '2026-02-16T11:30:00.000Z'],
      ['Kathmandu (UTC+05:45): Mon 16:45 + 30 is Tue 09:15', 'Asia/Kathmandu', '2026-02-09T11:00:00.000Z', 30, '2026-02-10T03:30:00.000Z'],
    ])('%s', (_case, timezone, start, minutes, expected) => {
      expect(add(start, minutes, officeIn(timezone))).toBe(expected);
    });
  });

  it('reaches a target further away than its search window when the schedule is sparse', () => {
    const oneHourOnMondays: BusinessCalendar = {
      timezone: 'Europe/Berlin',
      businessHours: { mon: [{ start: '09:00', end: '10:00' }] },
      holidays: [],
    };
    // 100 business hours: the 100th Monday after Mon 9 Feb 2026 is Mon 3 Jan 2028.
    expect(add('2026-02-09T08:00:00.000Z', 6000, oneHourOnMondays)).toBe('2028-01-03T09:00:00.000Z');
  });

  it('computes a 30-business-day target that measures back to exactly 30 business days', () => {
    const start = new Date('2026-03-02T08:00:00.000Z');
    const due = addBusinessMinutes(start, 30 * 480, berlinOffice);
    expect(businessMinutesBetween(start, due, berlinOffice)).toBe(30 * 480);
  });

  it('refuses a schedule without any business hours instead of searching forever', () => {
    const closed: BusinessCalendar = { timezone: 'Europe/Berlin', businessHours: {}, holidays: [] };
    expect(() => addBusinessMinutes(new Date('2026-02-10T09:00:00.000Z'), 60, closed)).toThrow(
      'Invalid business calendar: Business hours are empty: at least one weekday needs an interval.',
    );
  });

  it('gives up when holidays block every business day for more than 400 days', () => {
    const firstDay = DateTime.fromISO('2026-01-01', { zone: 'utc' });
    const everyDayFor2Years = Array.from({ length: 730 }, (_, day) => firstDay.plus({ days: day }).toFormat('yyyy-MM-dd'));
    const alwaysOnHoliday: BusinessCalendar = { ...berlinOffice, holidays: everyDayFor2Years };
    expect(() => addBusinessMinutes(new Date('2026-01-01T00:00:00.000Z'), 60, alwaysOnHoliday)).toThrow(
      'Business calendar (Europe/Berlin) has no business time in the 400 days after 2026-01-01T00:00:00.000Z: ' +
        'its holidays cover every day with business hours.',
    );
  });

  it('refuses an invalid calendar', () => {
    const onMars: BusinessCalendar = { ...berlinOffice, timezone: 'Mars/Olympus_Mons' };
    expect(() => addBusinessMinutes(new Date('2026-02-10T09:00:00.000Z'), 60, onMars)).toThrow(
      'Invalid business calendar: Unknown time zone "Mars/Olympus_Mons": use an IANA name such as "Europe/Berlin".',
    );
  });

  it('refuses negative minutes', () => {
    expect(() => addBusinessMinutes(new Date('2026-02-10T09:00:00.000Z'), -1, berlinOffice)).toThrow(RangeError);
  });
});

describe('businessMinutesBetween', () => {
  it.each([
    ['within a day: Tue 08:00 to 18:00 counts 09:00-17:00', berlinOffice, '2026-02-10T07:00:00.000Z', '2026-02-10T17:00:00.000Z', 480],
    ['over a weekend: Fri 16:00 to Mon 10:00', berlinOffice, '2026-02-13T15:00:00.000Z', '2026-02-16T09:00:00.000Z', 120],
    ['over Easter: Thu 2 Apr to Wed 8 Apr counts only Thu and Tue', berlinOffice, '2026-04-02T00:00:00.000Z', '2026-04-08T00:00:00.000Z', 960],
    ['around lunch: Tue 11:00 to 14:00', berlinWithLunchBreak, '2026-02-10T10:00:00.000Z', '2026-02-10T13:00:00.000Z', 120],
    ['part of a minute: Tue 10:00:00 to 10:00:30', berlinOffice, '2026-02-10T09:00:00.000Z', '2026-02-10T09:00:30.000Z', 0.5],
    ['an empty range', berlinOffice, '2026-02-10T09:00:00.000Z', '2026-02-10T09:00:00.000Z', 0],
    ['a reversed range', berlinOffice, '2026-02-10T17:00:00.000Z', '2026-02-10T07:00:00.000Z', 0],
  ])('%s', (_case, calendar, from, to, expected) => {
    expect(businessMinutesBetween(new Date(from), new Date(to), calendar)).toBe(expected);
  });

  it.each([
    ['Berlin spring forward', 'Europe/Berlin', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ['Berlin fall back', 'Europe/Berlin', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    ['New York spring forward', 'America/New_York', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'],
    ['New York fall back', 'America/New_York', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
  ])('counts 8 h of 09:00-17:00 on the %s day (local midnight to midnight)', (_case, timezone, from, to) => {
    expect(businessMinutesBetween(new Date(from), new Date(to), nineToFiveEveryDay(timezone))).toBe(480);
  });

  it.each([
    ['a normal Berlin Sunday has 24 h', 'Europe/Berlin', '2026-03-21T00:00:00.000Z', '2026-03-24T00:00:00.000Z', 1440],
    ['the Berlin spring-forward Sunday has 23 h', 'Europe/Berlin', '2026-03-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z', 1380],
    ['the Berlin fall-back Sunday has 25 h', 'Europe/Berlin', '2026-10-24T00:00:00.000Z', '2026-10-27T00:00:00.000Z', 1500],
    ['the New York spring-forward Sunday has 23 h', 'America/New_York', '2026-03-07T12:00:00.000Z', '2026-03-10T12:00:00.000Z', 1380],
    ['the New York fall-back Sunday has 25 h', 'America/New_York', '2026-10-31T12:00:00.000Z', '2026-11-03T12:00:00.000Z', 1500],
  ])('open 00:00-24:00 on Sundays: %s', (_case, timezone, from, to, expected) => {
    expect(businessMinutesBetween(new Date(from), new Date(to), allDaySundays(timezone))).toBe(expected);
  });

  it.each([
    ['02:30-04:00 on the Berlin spring-forward day counts only 03:00-04:00', berlinSkippedHourInterval, '2026-03-28T12:00:00.000Z', '2026-03-30T12:00:00.000Z'],
    ['02:00-02:30 on the Berlin fall-back day counts both times the clock shows it', berlinRepeatedHourInterval, '2026-10-24T12:00:00.000Z', '2026-10-26T12:00:00.000Z'],
  ])('%s: 60 min', (_case, calendar, from, to) => {
    expect(businessMinutesBetween(new Date(from), new Date(to), calendar)).toBe(60);
  });

  it.each([
    ['over a weekend', berlinOffice, '2026-02-13T15:00:00.000Z', 120],
    ['over Easter', berlinOffice, '2026-04-02T14:00:00.000Z', 1440],
    ['across lunch breaks', berlinWithLunchBreak, '2026-02-10T10:30:00.000Z', 500],
    ['over the Berlin spring-forward weekend', berlinOffice, '2026-03-27T15:00:00.000Z', 5760],
    ['through the New York 25-hour Sunday', allDaySundays('America/New_York'), '2026-10-31T12:00:00.000Z', 1500],
    ['through the repeated Berlin hour', berlinRepeatedHourInterval, '2026-10-24T12:00:00.000Z', 45],
    ['in Kolkata with a fractional target', officeIn('Asia/Kolkata'), '2026-02-14T00:00:00.000Z', 90.5],
  ])('is the inverse of addBusinessMinutes %s', (_case, calendar, start, minutes) => {
    const due = addBusinessMinutes(new Date(start), minutes, calendar);
    expect(businessMinutesBetween(new Date(start), due, calendar)).toBe(minutes);
  });
});

describe('businessMinutesBetween against a minute-by-minute count', () => {
  // Lord Howe moves its clock by 30 minutes, Kolkata has a half-hour offset, Santiago changes at midnight.
  it.each(['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'])('agrees in %s on random ranges across the DST changes of 2026', (timezone) => {
    const calendar: BusinessCalendar = { timezone, businessHours: { ...DEFAULT_BUSINESS_HOURS, sun: [{ start: '00:00', end: '03:30' }] }, holidays: ['2026-04-06'] };
    // The reference: each minute of the range counts when its local wall clock is inside an opening of its local date.
    const byMinute = (fromMs: number, toMs: number) => {
      let minutes = 0;
      for (let ms = fromMs; ms < toMs; ms += 60_000) {
        const local = DateTime.fromMillis(ms, { zone: timezone });
        if (calendar.holidays.includes(local.toISODate()!)) continue;
        const minuteOfDay = local.hour * 60 + local.minute;
        const openings = calendar.businessHours[WEEKDAYS[local.weekday - 1]!] ?? [];
        if (openings.some(({ start, end }) => minuteOfDay >= toMinute(start) && minuteOfDay < toMinute(end))) minutes += 1;
      }
      return minutes;
    };
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const changes = ['2026-03-08', '2026-04-05', '2026-09-06', '2026-10-04', '2026-10-25', '2026-11-01', '2026-03-29'].map((day) => Date.parse(`${day}T00:00:00Z`));
    for (let sample = 0; sample < 40; sample += 1) {
      const fromMs = changes[sample % changes.length]! + Math.floor((random() - 0.5) * 3 * 1440) * 60_000;
      const toMs = fromMs + Math.floor(random() * 3 * 1440) * 60_000;
      expect(businessMinutesBetween(new Date(fromMs), new Date(toMs), calendar), new Date(fromMs).toISOString()).toBe(byMinute(fromMs, toMs));
    }
  });
});

const toMinute = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

describe('validateCalendar', () => {
  const withHours = (businessHours: WeeklySchedule): BusinessCalendar => ({ ...berlinOffice, businessHours });
  const withHolidays = (...holidays: string[]): BusinessCalendar => ({ ...berlinOffice, holidays });

  it.each([
    ['the default office hours', berlinOffice],
    ['a lunch break and an interval ending at 24:00', withHours({ mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '24:00' }] })],
    ['a half-hour zone', officeIn('Asia/Kolkata')],
  ])('accepts %s', (_case, calendar) => {
    expect(validateCalendar(calendar)).toEqual([]);
  });

  it.each([
    ['an unknown time zone', { ...berlinOffice, timezone: 'Mars/Olympus_Mons' }, 'Unknown time zone "Mars/Olympus_Mons": use an IANA name such as "Europe/Berlin".'],
    ['an unknown weekday', withHours({ ...DEFAULT_BUSINESS_HOURS, monday: [{ start: '09:00', end: '17:00' }] } as WeeklySchedule), 'Unknown weekday "monday": use one of mon, tue, wed, thu, fri, sat, sun.'],
    ['a start without two-digit hours', withHours({ mon: [{ start: '9:00', end: '17:00' }] }), 'mon: start "9:00" is not a time in the form HH:mm.'],
    ['an end with 60 minutes', withHours({ tue: [{ start: '09:00', end: '17:60' }] }), 'tue: end "17:60" is not a time in the form HH:mm.'],
    ['an hour past 24', withHours({ wed: [{ start: '09:00', end: '25:00' }] }), 'wed: end "25:00" is not a time in the form HH:mm.'],
    ['an interval ending before it starts', withHours({ thu: [{ start: '17:00', end: '09:00' }] }), 'thu: interval 17:00-09:00 must end after it starts.'],
    ['an empty interval', withHours({ fri: [{ start: '09:00', end: '09:00' }] }), 'fri: interval 09:00-09:00 must end after it starts.'],
    ['overlapping intervals', withHours({ mon: [{ start: '11:30', end: '13:00' }, { start: '09:00', end: '12:00' }] }), 'mon: intervals 09:00-12:00 and 11:30-13:00 overlap.'],
    ['an interval inside another', withHours({ mon: [{ start: '09:00', end: '17:00' }, { start: '12:00', end: '13:00' }] }), 'mon: intervals 09:00-17:00 and 12:00-13:00 overlap.'],
    ['an empty schedule', withHours({}), 'Business hours are empty: at least one weekday needs an interval.'],
    ['an impossible holiday', withHolidays('2026-02-30'), 'Holiday "2026-02-30" is not a calendar date in the form YYYY-MM-DD.'],
    ['a holiday with a two-digit year', withHolidays('26-12-25'), 'Holiday "26-12-25" is not a calendar date in the form YYYY-MM-DD.'],
    ['a holiday with a time', withHolidays('2026-12-25T00:00'), 'Holiday "2026-12-25T00:00" is not a calendar date in the form YYYY-MM-DD.'],
  ])('reports %s', (_case, calendar, problem) => {
    expect(validateCalendar(calendar)).toEqual([problem]);
  });

  it('reports every problem at once', () => {
    const calendar: BusinessCalendar = {
      timezone: 'Nowhere/Special',
      businessHours: { mon: [{ start: '17:00', end: '09:00' }], tue: [{ start: '09:00', end: '17:00' }] },
      holidays: ['2026-13-01'],
    };
    expect(validateCalendar(calendar)).toEqual([
      'Unknown time zone "Nowhere/Special": use an IANA name such as "Europe/Berlin".',
      'mon: interval 17:00-09:00 must end after it starts.',
      'Holiday "2026-13-01" is not a calendar date in the form YYYY-MM-DD.',
    ]);
  });
});

describe('addBusinessMinutesEach', () => {
  it('answers, in the given order, what addBusinessMinutes answers for each target, across holidays, breaks and DST changes', () => {
    const starts = ['2026-03-27T16:30:00Z', '2026-04-02T08:00:00Z', '2026-10-23T15:59:00Z', '2026-12-23T12:00:00Z'].map((iso) => new Date(iso));
    const minutes = [480 * 3, 0, 90.5, 480, 48, 480 * 0.8, 2400];
    for (const calendar of [berlinOffice, berlinWithLunchBreak]) {
      for (const start of starts) {
        expect(addBusinessMinutesEach(start, minutes, calendar).map((due) => due.toISOString())).toEqual(minutes.map((target) => addBusinessMinutes(start, target, calendar).toISOString()));
      }
    }
  });

  it('refuses a negative target like addBusinessMinutes', () => {
    expect(() => addBusinessMinutesEach(new Date('2026-03-02T10:00:00Z'), [60, -1], berlinOffice)).toThrow(RangeError);
  });
});
