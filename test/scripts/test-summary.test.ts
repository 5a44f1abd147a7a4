import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// A real Vitest 4 JSON report (paths shortened): one file whose describe-level beforeAll threw, so its
// two tests are "skipped" and numFailedTests is 0, and one passing file.
const FAILED_BEFORE_ALL = `${ROOT}/test/fixtures/vitest-report-failed-before-all.json`;
const scratch = mkdtempSync(join(tmpdir(), 'test-summary-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function summary(...reports: string[]): string {
  const { stdout, status } = spawnSync(process.execPath, [`${ROOT}/scripts/test-summary.mjs`, ...reports], { encoding: 'utf8' });
  expect(status).toBe(0);
  return stdout;
}

function reportWith(change: (report: any) => void): string {
  const report = JSON.parse(readFileSync(FAILED_BEFORE_ALL, 'utf8'));
  change(report);
  const path = join(scratch, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(report));
  return path;
}

describe('the CI summary line', () => {
  it('counts a file whose beforeAll failed as a failure, not as skipped tests', () => {
    expect(summary(FAILED_BEFORE_ALL)).toBe('1 passed, 1 failed\n');
  });

  it('counts a file that failed to load (no tests) and each failed test', () => {
    const report = reportWith((r) => {
      r.testResults[0] = { assertionResults: [], status: 'failed', message: 'Cannot find module', name: '/repo/test/broken.test.ts' };
      r.testResults[1].assertionResults.push({ ancestorTitles: [], fullName: 'fails', status: 'failed', title: 'fails', failureMessages: ['expected 1 to be 2'] });
      r.testResults[1].status = 'failed';
      r.numFailedTests = 1;
    });
    expect(summary(report)).toBe('1 passed, 2 failed\n');
  });

  it('counts a failed run as a failure even when no file or test is marked failed (an unhandled error)', () => {
    const report = reportWith((r) => {
      r.testResults.shift();
    });
    expect(summary(report)).toBe('1 passed, 1 failed\n');
  });

  it('adds up several reports and counts a missing one (the run never reached its tests) as a failure', () => {
    expect(summary(FAILED_BEFORE_ALL, join(scratch, 'never-written.json'))).toBe('1 passed, 2 failed\n');
  });
});
