import { existsSync, readFileSync } from 'node:fs';

// Prints Vitest's JSON report as the one line CI reads. No report means the run never reached the tests.
const [reportPath = 'test-results/vitest.json'] = process.argv.slice(2);
if (!existsSync(reportPath)) {
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(0);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const failedSuites = report.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
process.stdout.write(`${report.numPassedTests} passed, ${report.numFailedTests + failedSuites} failed\n`);
