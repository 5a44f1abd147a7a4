import { seededRandom } from '@helpdesk/testing';
import { describe, expect, it } from 'vitest';
import { compliance, summarizeTenths } from './report-figures.js';

describe('report figures', () => {
  it('takes the median (mean of the middle two for an even count) and the nearest-rank p90', () => {
    const tenths = (...minutes: number[]) => Int32Array.from(minutes, (value) => Math.round(value * 10));
    expect(summarizeTenths(tenths())).toEqual({ median: null, p90: null });
    expect(summarizeTenths(tenths(7))).toEqual({ median: 7, p90: 7 });
    expect(summarizeTenths(tenths(150, 45, 120, 90))).toEqual({ median: 105, p90: 150 });
    // Ten values: p90 is the 9th smallest.
    expect(summarizeTenths(tenths(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))).toEqual({ median: 5.5, p90: 9 });
    // The mean of two middle tenths rounds half up, with no floating-point noise (0.15 is 0.2).
    expect(summarizeTenths(tenths(0.1, 0.2))).toEqual({ median: 0.2, p90: 0.2 });
    expect(summarizeTenths(tenths(10.3, 10.4, 2, 30))).toEqual({ median: 10.4, p90: 30 });
  });

  it('selects the same median and p90 as sorting, for any count and with repeated values', () => {
    const random = seededRandom(7);
    for (let count = 1; count <= 300; count += 1) {
      const values = Int32Array.from({ length: count }, () => Math.floor(random() * (count % 3 === 0 ? 5 : 100_000)));
      const sorted = values.slice().sort();
      const middle = Math.floor(count / 2);
      const median = count % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
      expect(summarizeTenths(values), `${count} values`).toEqual({ median: median / 10, p90: sorted[Math.ceil(0.9 * count) - 1]! / 10 });
    }
  });

  it('counts met and breached, with a percent of one decimal and none without either', () => {
    expect(compliance(2, 1)).toEqual({ met: 2, breached: 1, percent: 66.7 });
    expect(compliance(0, 0)).toEqual({ met: 0, breached: 0, percent: null });
  });
});
