import { describe, expect, it } from 'vitest';
import { defuseFormula, reportFileName } from './report-csv.js';

describe('report CSV cells and file name', () => {
  it('prefixes a quote to every cell a spreadsheet would run as a formula, and nothing else', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'].map(defuseFormula)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"]);
    expect(['plain', ' =1', '1-1', 'a@b.example', ''].map(defuseFormula)).toEqual(['plain', ' =1', '1-1', 'a@b.example', '']);
  });

  it('names the file by the first and last day of the range', () => {
    expect(reportFileName('2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z')).toBe('tickets-2026-11-23-to-2026-11-29.csv');
  });
});
