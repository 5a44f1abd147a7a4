import { existsSync, readFileSync } from 'node:fs';

// Prints Vitest's JSON reports (one per run: npm test, npm run test:faults) as the one line CI reads.
// A missing report means that run never reached its tests, and counts as a failure.
const reportPaths = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const reportPath of reportPaths.length ? reportPaths : ['test-results/vitest.json']) {
  if (!existsSync(reportPath)) {
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  // A file that failed without a failed test (it did not load, or a beforeAll/afterAll hook threw and
  // Vitest marked its tests skipped) is one failure.
  const failedFiles = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  let reportFailures = report.numFailedTests + failedFiles;
  // Anything else that failed the run (an unhandled error) still fails the summary.
  if (report.success === false && reportFailures === 0) reportFailures = 1;
  passed += report.numPassedTests;
  failed += reportFailures;
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
