import { describe, expect, it } from 'vitest';
import { type BusinessCalendar, DEFAULT_BUSINESS_HOURS } from './business-calendar.js';
import {
  dueAt,
  elapsedTargetMinutes,
  initialDueTimes,
  shiftDueTime,
  type SlaTargets,
  WARNING_FRACTION,
  warningAt,
} from './sla-clock.js';

// Local times (Berlin, UTC+1 in February, UTC+2 from 29 Mar 2026) in the test names; instants in UTC.
const berlinOffice: BusinessCalendar = {
  timezone: 'Europe/Berlin',
  businessHours: DEFAULT_BUSINESS_HOURS,
  holidays: ['2026-04-03', '2026-04-06'],
};

const fridayAt1600 = new Date('2026-02-13T15:00:00.000Z');
const tuesdayAt1000 = new Date('2026-02-10T09:00:00.000Z');

describe('dueAt', () => {
  it.each([
    ['plain time runs through closing: Fri 16:00 + 120 is Fri 18:00', false, 120, '2026-02-13T17:00:00.000Z'],
    ['plain time runs through the weekend: Fri 16:00 + 3 days is Mon 16:00', false, 4320, '2026-02-16T15:00:00.000Z'],
    ['business time stops at closing and skips the weekend: Fri 16:00 + 120 is Mon 10:00', true, 120, '2026-02-16T09:00:00.000Z'],
  ])('%s', (_case, businessHoursOnly, minutes, expected) => {
    expect(dueAt(fridayAt1600, minutes, businessHoursOnly, berlinOffice).toISOString()).toBe(expected);
  });

  it('refuses a negative target', () => {
    expect(() => dueAt(fridayAt1600, -5, false, berlinOffice)).toThrow(RangeError);
  });
});

describe('warningAt', () => {
  it('warns at 80% of a target', () => {
    expect(WARNING_FRACTION).toBe(0.8);
  });

  it.each([
    ['in plain time: 80 of 100 min after Fri 16:00 is Fri 17:20', false, 100, '2026-02-13T16:20:00.000Z'],
    ['in business time: 96 of 120 min after Fri 16:00 is Mon 09:36', true, 120, '2026-02-16T08:36:00.000Z'],
  ])('%s', (_case, businessHoursOnly, minutes, expected) => {
    expect(warningAt(fridayAt1600, minutes, businessHoursOnly, berlinOffice).toISOString()).toBe(expected);
  });
});

describe('elapsedTargetMinutes', () => {
  const mondayAt1000 = new Date('2026-02-16T09:00:00.000Z');

  it.each([
    ['counts every minute in plain time: Fri 16:00 to Mon 10:00 is 66 h', false, fridayAt1600, mondayAt1000, 3960],
    ['counts only business time: Fri 16:00 to Mon 10:00 is 2 h', true, fridayAt1600, mondayAt1000, 120],
    ['is 0 in plain time when the range is reversed', false, mondayAt1000, fridayAt1600, 0],
    ['is 0 in business time when the range is reversed', true, mondayAt1000, fridayAt1600, 0],
  ])('%s', (_case, businessHoursOnly, from, to, expected) => {
    expect(elapsedTargetMinutes(from, to, businessHoursOnly, berlinOffice)).toBe(expected);
  });
});

describe('shiftDueTime', () => {
  const fridayAt1630 = new Date('2026-02-13T15:30:00.000Z');
  const fridayAtClosing = new Date('2026-02-13T16:00:00.000Z');

  it.each([
    ['moves a business due time over the weekend: Fri 16:30 + 90 is Mon 10:00', fridayAt1630, 90, true, '2026-02-16T09:00:00.000Z'],
    ['moves a business due time from closing: Fri 17:00 + 60 is Mon 10:00', fridayAtClosing, 60, true, '2026-02-16T09:00:00.000Z'],
    ['moves a plain due time by plain minutes: Fri 16:30 + 90 is Fri 18:00', fridayAt1630, 90, false, '2026-02-13T17:00:00.000Z'],
    ['keeps a due time at closing when nothing was paused: Fri 17:00 + 0 stays Fri 17:00', fridayAtClosing, 0, true, '2026-02-13T16:00:00.000Z'],
  ])('%s', (_case, due, pausedMinutes, businessHoursOnly, expected) => {
    expect(shiftDueTime(due, pausedMinutes, businessHoursOnly, berlinOffice).toISOString()).toBe(expected);
  });
});

describe('initialDueTimes', () => {
  const policy = (firstResponseMinutes: number, resolutionMinutes: number, businessHoursOnly = true): SlaTargets => ({
    firstResponseMinutes,
    nextResponseMinutes: null,
    resolutionMinutes,
    businessHoursOnly,
  });

  describe('for the default policies on a ticket created Tue 10 Feb 10:00 in Berlin business hours', () => {
    it.each([
      [
        'urgent (60/240): first response Tue 11:00 (warning 10:48), resolution Tue 14:00 (warning 13:12)',
        policy(60, 240),
        { first: '2026-02-10T10:00:00.000Z', firstWarning: '2026-02-10T09:48:00.000Z', resolution: '2026-02-10T13:00:00.000Z', resolutionWarning: '2026-02-10T12:12:00.000Z' },
      ],
      [
        'high (240/1440): first response Tue 14:00 (warning 13:12), resolution Fri 10:00 (warning Thu 13:12)',
        policy(240, 1440),
        { first: '2026-02-10T13:00:00.000Z', firstWarning: '2026-02-10T12:12:00.000Z', resolution: '2026-02-13T09:00:00.000Z', resolutionWarning: '2026-02-12T12:12:00.000Z' },
      ],
      [
        'normal (480/2880): first response Wed 10:00 (warning Tue 16:24), resolution Wed 18 Feb 10:00 (warning Mon 16:24)',
        policy(480, 2880),
        { first: '2026-02-11T09:00:00.000Z', firstWarning: '2026-02-10T15:24:00.000Z', resolution: '2026-02-18T09:00:00.000Z', resolutionWarning: '2026-02-16T15:24:00.000Z' },
      ],
      [
        'low (1440/5760): first response Fri 10:00 (warning Thu 13:12), resolution Thu 26 Feb 10:00 (warning Mon 23 Feb 14:48)',
        policy(1440, 5760),
        { first: '2026-02-13T09:00:00.000Z', firstWarning: '2026-02-12T12:12:00.000Z', resolution: '2026-02-26T09:00:00.000Z', resolutionWarning: '2026-02-23T13:48:00.000Z' },
      ],
    ])('%s', (_case, targets, expected) => {
      expect(initialDueTimes(tuesdayAt1000, targets, berlinOffice)).toEqual({
        firstResponseDueAt: new Date(expected.first),
        firstResponseWarningAt: new Date(expected.firstWarning),
        resolutionDueAt: new Date(expected.resolution),
        resolutionWarningAt: new Date(expected.resolutionWarning),
      });
    });
  });

  it('starts the clock at Monday 09:00 for an urgent ticket created on Saturday', () => {
    expect(initialDueTimes(new Date('2026-02-14T11:00:00.000Z'), policy(60, 240), berlinOffice)).toEqual({
      firstResponseDueAt: new Date('2026-02-16T09:00:00.000Z'),
      firstResponseWarningAt: new Date('2026-02-16T08:48:00.000Z'),
      resolutionDueAt: new Date('2026-02-16T12:00:00.000Z'),
      resolutionWarningAt: new Date('2026-02-16T11:12:00.000Z'),
    });
  });

  it('keeps local office hours across the spring-forward weekend: high created Thu 26 Mar 10:00 CET resolves Tue 31 Mar 10:00 CEST', () => {
    const due = initialDueTimes(new Date('2026-03-26T09:00:00.000Z'), policy(240, 1440), berlinOffice);
    expect(due.resolutionDueAt).toEqual(new Date('2026-03-31T08:00:00.000Z'));
  });

  it('extends only the resolution target by time already paused: urgent with 300 paused min resolves Wed 11:00 (warning Wed 10:12)', () => {
    expect(initialDueTimes(tuesdayAt1000, policy(60, 240), berlinOffice, 300)).toEqual({
      firstResponseDueAt: new Date('2026-02-10T10:00:00.000Z'),
      firstResponseWarningAt: new Date('2026-02-10T09:48:00.000Z'),
      resolutionDueAt: new Date('2026-02-11T10:00:00.000Z'),
      resolutionWarningAt: new Date('2026-02-11T09:12:00.000Z'),
    });
  });

  it('counts plain minutes when the policy is not limited to business hours', () => {
    expect(initialDueTimes(fridayAt1600, policy(60, 240, false), berlinOffice)).toEqual({
      firstResponseDueAt: new Date('2026-02-13T16:00:00.000Z'),
      firstResponseWarningAt: new Date('2026-02-13T15:48:00.000Z'),
      resolutionDueAt: new Date('2026-02-13T19:00:00.000Z'),
      resolutionWarningAt: new Date('2026-02-13T18:12:00.000Z'),
    });
  });
});
