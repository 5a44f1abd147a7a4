import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let run: any;

beforeAll(async () => {
  run = await import(`${ROOT}/scripts/lib/run.mjs`);
});

const shell = (script: string, ...args: string[]) => spawnSync('sh', ['-c', script, ...args], { encoding: 'utf8' }).stdout.trim();

describe('the test run open-file limit', () => {
  it('raises the soft limit to the hard limit for the command it wraps (the 1,000-socket test needs more than 1,024)', () => {
    const hard = shell('ulimit -H -n');
    const [command, args] = run.withOpenFileLimitRaised('sh', ['-c', 'ulimit -n']);
    // Started from a shell whose soft limit is Debian's default of 1,024.
    expect(shell('ulimit -S -n 1024 && exec "$0" "$@"', command, ...args)).toBe(hard);
  });

  it('leaves the command and its arguments as they were, spaces and quotes included', () => {
    const [command, args] = run.withOpenFileLimitRaised('printf', ['%s|', 'a b', `it's`]);
    expect(spawnSync(command, args, { encoding: 'utf8' }).stdout).toBe(`a b|it's|`);
  });
});
