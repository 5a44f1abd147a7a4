import { describe, expect, it } from 'vitest';
import { compliance, summarize } from './report-figures.js';

describe('report figures', () => {
  it('takes the median (mean of the middle two for an even count) and the nearest-rank p90', () => {
    expect(summarize([])).toEqual({ median: null, p90: null });
    expect(summarize([7])).toEqual({ median: 7, p90: 7 });
    expect(summarize([150, 45, 120, 90])).toEqual({ median: 105, p90: 150 });
    // Ten values: p90 is the 9th smallest.
    expect(summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ median: 5.5, p90: 9 });
  });

  it('counts met and breached, with a percent of one decimal and none without either', () => {
    expect(compliance(['met', 'met', 'breached', null])).toEqual({ met: 2, breached: 1, percent: 66.7 });
    expect(compliance([null])).toEqual({ met: 0, breached: 0, percent: null });
  });
});
