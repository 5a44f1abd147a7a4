import dayjs from 'dayjs';

export const RANGE_PRESETS = ['last7', 'lastWeek', 'last30', 'custom'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const DAY = 'YYYY-MM-DD';

/** The days (YYYY-MM-DD, both included) a preset covers, counted from `today` on the browser's calendar. */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, today = dayjs()): { from: string; to: string } {
  switch (preset) {
    case 'last7':
      return { from: today.subtract(6, 'day').format(DAY), to: today.format(DAY) };
    case 'last30':
      return { from: today.subtract(29, 'day').format(DAY), to: today.format(DAY) };
    case 'lastWeek': {
      // Weeks start on Monday: day() is 0 for Sunday.
      const thisMonday = today.subtract((today.day() + 6) % 7, 'day');
      return { from: thisMonday.subtract(7, 'day').format(DAY), to: thisMonday.subtract(1, 'day').format(DAY) };
    }
  }
}
