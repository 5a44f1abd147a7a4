import { prepare } from './lib/prepare.mjs';
import { ROOT } from './lib/paths.mjs';
import { runAsGroup } from './lib/run.mjs';

// The fault drills (test/faults): the same preparation as `npm test`, then Vitest on its own config.
process.env.NODE_ENV = 'test';
try {
  await prepare();
} catch (error) {
  process.stderr.write(`\n${error.message}\n`);
  process.exit(1);
}
const code = await runAsGroup(process.execPath, [`${ROOT}/node_modules/vitest/vitest.mjs`, 'run', '--config', 'vitest.faults.config.ts', ...process.argv.slice(2)], { cwd: ROOT });
process.exit(code);
