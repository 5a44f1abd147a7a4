import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, ROOT } from './paths.mjs';
import { runOrFail, say } from './run.mjs';

const SOURCES = ['apps', 'libs', '.swcrc', 'package-lock.json', 'package.json'];
const STAMP = `${DIST_DIR}/.build-stamp`;
/** The web console is built by Vite, not SWC; its sources do not make the services stale. */
const WEB_APP = 'apps/web';
const WEB_SOURCES = [WEB_APP, 'libs/contracts', 'package-lock.json'];
const WEB_STAMP = `${DIST_DIR}/.web-build-stamp`;

function newestChange(path, skip = []) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    const child = join(path, entry);
    if (entry === 'node_modules' || skip.includes(child)) continue;
    newest = Math.max(newest, newestChange(child, skip));
  }
  return newest;
}

function isStale(stamp, sources, skip = []) {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return sources.some((source) => existsSync(`${ROOT}/${source}`) && newestChange(`${ROOT}/${source}`, skip) > built);
}

export function isBuildStale() {
  return isStale(STAMP, SOURCES, [`${ROOT}/${WEB_APP}`]);
}

/**
 * Compiles every service and library with SWC (decorator metadata, path aliases rewritten) into
 * dist/, and the web console with Vite into dist/web/ (each only when its sources changed).
 */
export async function build({ force = false } = {}) {
  await buildServices({ force });
  await buildWeb({ force });
}

async function buildServices({ force }) {
  if (!force && !isBuildStale()) return;
  say('building (swc)');
  await runOrFail(
    process.execPath,
    [`${ROOT}/node_modules/@swc/cli/bin/swc.js`, 'apps', 'libs', '-d', 'dist', '--config-file', '.swcrc', '--ignore', `**/*.spec.ts,**/testing/**,${WEB_APP}/**`, '--quiet'],
    { cwd: ROOT },
  );
  writeFileSync(STAMP, new Date().toISOString());
}

/** Vite writes dist/web/ (index.html, hashed and precompressed assets) and prints the bundle sizes. */
async function buildWeb({ force }) {
  if (!force && !isStale(WEB_STAMP, WEB_SOURCES)) return;
  say('building the web console (vite)');
  // Always the production bundle: Vite follows NODE_ENV, and `npm test` (NODE_ENV=test) would otherwise
  // build, budget-check and browser-test React's development build instead of what is served.
  await runOrFail(process.execPath, [viteBin(), 'build', '--logLevel', 'warn'], { cwd: `${ROOT}/${WEB_APP}`, env: { ...process.env, NODE_ENV: 'production' } });
  writeFileSync(WEB_STAMP, new Date().toISOString());
}

/** apps/web pins its own Vite (the root one serves Vitest); npm puts it under the workspace when versions differ. */
function viteBin() {
  const own = `${ROOT}/${WEB_APP}/node_modules/vite/bin/vite.js`;
  return existsSync(own) ? own : `${ROOT}/node_modules/vite/bin/vite.js`;
}

export async function typecheck() {
  say('type-checking (tsc)');
  await runOrFail(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.json'], { cwd: ROOT });
  await runOrFail(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', `${WEB_APP}/tsconfig.json`], { cwd: ROOT });
}
