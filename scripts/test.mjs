import { prepare } from './lib/prepare.mjs';
import { ROOT } from './lib/paths.mjs';
import { openFileLimit, runAsGroup, say, withOpenFileLimitRaised } from './lib/run.mjs';

process.env.NODE_ENV = 'test';
try {
  await prepare({ typecheck: true, browser: true, imapServer: true, pgBouncer: true, promtool: true });
} catch (error) {
  process.stderr.write(`\n${error.message}\n`);
  process.exit(1);
}
// Extra arguments go to Vitest: `npm test -- libs/common` runs only those files.
// Vitest gets the hard open-file limit: the 1,000-socket test needs more than Debian's soft default of 1,024.
if (openFileLimit() < 1_500) say(`the open-file limit is ${openFileLimit()} and the 1,000-socket test needs 1,500: as root, run ulimit -n 4096 and then this again`);
const code = await runAsGroup(...withOpenFileLimitRaised(process.execPath, [`${ROOT}/node_modules/vitest/vitest.mjs`, 'run', ...process.argv.slice(2)]), { cwd: ROOT });
process.exit(code);
