import { prepare } from './lib/prepare.mjs';
import { ROOT } from './lib/paths.mjs';
import { runAsGroup } from './lib/run.mjs';

process.env.NODE_ENV = 'test';
try {
  await prepare({ typecheck: true });
} catch (error) {
  process.stderr.write(`\n${error.message}\n`);
  process.exit(1);
}
// Extra arguments go to Vitest: `npm test -- libs/common` runs only those files.
const code = await runAsGroup(process.execPath, [`${ROOT}/node_modules/vitest/vitest.mjs`, 'run', ...process.argv.slice(2)], { cwd: ROOT });
process.exit(code);
