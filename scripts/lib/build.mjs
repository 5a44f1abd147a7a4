import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, ROOT } from './paths.mjs';
import { runOrFail, say } from './run.mjs';

const SOURCES = ['apps', 'libs', '.swcrc', 'package-lock.json', 'package.json'];
const STAMP = `${DIST_DIR}/.build-stamp`;

function newestChange(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestChange(join(path, entry)));
  }
  return newest;
}

export function isBuildStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.some((source) => existsSync(`${ROOT}/${source}`) && newestChange(`${ROOT}/${source}`) > built);
}

/** Compiles every service and library with SWC (decorator metadata, path aliases rewritten) into dist/. */
export async function build({ force = false } = {}) {
  if (!force && !isBuildStale()) return;
  say('building (swc)');
  await runOrFail(
    process.execPath,
    [`${ROOT}/node_modules/@swc/cli/bin/swc.js`, 'apps', 'libs', '-d', 'dist', '--config-file', '.swcrc', '--ignore', '**/*.spec.ts,**/testing/**', '--quiet'],
    { cwd: ROOT },
  );
  writeFileSync(STAMP, new Date().toISOString());
}

export async function typecheck() {
  say('type-checking (tsc)');
  await runOrFail(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.json'], { cwd: ROOT });
}
