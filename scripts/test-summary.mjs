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
  const failedSuites = report.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  passed += report.numPassedTests;
  failed += report.numFailedTests + failedSuites;
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
