import { prepare } from './lib/prepare.mjs';
import { ROOT } from './lib/paths.mjs';
import { runAsGroup, withOpenFileLimitRaised } from './lib/run.mjs';

// The fault drills (test/faults): the same preparation as `npm test`, then Vitest on its own config.
process.env.NODE_ENV = 'test';
try {
  await prepare({ pgBouncer: true });
} catch (error) {
  process.stderr.write(`\n${error.message}\n`);
  process.exit(1);
}
// The drill's services and clients hold many sockets: Vitest gets the hard open-file limit.
const code = await runAsGroup(...withOpenFileLimitRaised(process.execPath, [`${ROOT}/node_modules/vitest/vitest.mjs`, 'run', '--config', 'vitest.faults.config.ts', ...process.argv.slice(2)]), { cwd: ROOT });
process.exit(code);
