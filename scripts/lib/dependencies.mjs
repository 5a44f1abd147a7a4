import { existsSync, statSync } from 'node:fs';
import { ROOT } from './paths.mjs';
import { runOrFail, say } from './run.mjs';

/** Installs node_modules when missing or older than package-lock.json; otherwise does nothing. */
export async function ensureDependencies() {
  const installed = `${ROOT}/node_modules/.package-lock.json`;
  const lock = `${ROOT}/package-lock.json`;
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing dependencies (npm ci)');
  await runOrFail('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT });
}
