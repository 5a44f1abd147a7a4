import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let backup: any;
let scratch: string;

beforeAll(async () => {
  backup = await import(`${ROOT}/scripts/lib/backup.mjs`);
  scratch = mkdtempSync(join(tmpdir(), 'backup-checksum-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sha256sum = (path: string) => spawnSync('sha256sum', [path], { encoding: 'utf8' }).stdout.split(' ')[0];

describe('backup checksums', () => {
  it('are the SHA-256 of the file', async () => {
    const file = join(scratch, 'small.dump');
    writeFileSync(file, 'PGDMP and some rows');
    expect(await backup.fileSha256(file)).toBe(sha256sum(file));
  });

  it('hash a dump larger than 2 GiB, which cannot be read into one buffer', async () => {
    const file = join(scratch, 'large.dump');
    // Sparse: 2 GiB and one byte on disk in no time.
    const descriptor = openSync(file, 'w');
    ftruncateSync(descriptor, 2 ** 31 + 1);
    closeSync(descriptor);
    // sha256sum's answer for 2^31 + 1 zero bytes.
    expect(await backup.fileSha256(file)).toBe('b8030a8ab89280935633d8d991da3d9907c0f12e8b6fc3bfc515f4d440872b6e');
  }, 120_000);
});
