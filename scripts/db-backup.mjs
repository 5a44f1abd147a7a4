import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvironmentReadOnly } from './lib/environment.mjs';
import { ROOT } from './lib/paths.mjs';
import { connectToNats, databaseSettings, fileSha256, postgresTool, runTool } from './lib/backup.mjs';

/**
 * npm run db:backup [-- --out <dir>] [--no-attachments] [--database-dump <file>]
 *
 * Writes one backup folder: the database DB_NAME (both schemas) as a pg_dump custom-format archive,
 * and every object of the attachment bucket (ATTACHMENTS_BUCKET in the JetStream object store at
 * NATS_URL, which may carry a NATS user: nats://backup:<password>@host:4222) as a file, with a
 * manifest of names and SHA-256 digests that the restore verifies. A NATS that cannot be reached
 * fails the backup; only --no-attachments leaves the bucket out. The folder is written under a
 * temporary name and renamed at the end, so a failed backup never looks like a complete one.
 * --database-dump takes a dump pg_dump already wrote (the chart's CronJob runs pg_dump in the
 * postgres image) and moves it into the folder instead of running pg_dump.
 */
const { values: options } = parseArgs({
  options: {
    out: { type: 'string', default: `${ROOT}/backups` },
    'no-attachments': { type: 'boolean', default: false },
    'database-dump': { type: 'string' },
  },
});

loadEnvironmentReadOnly();
const database = databaseSettings();
const bucket = process.env.ATTACHMENTS_BUCKET || 'helpdesk-attachments';
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const target = resolve(options.out, `helpdesk-${database.name}-${stamp}`);
const partial = `${target}.partial`;

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

try {
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(`${partial}/attachments`, { recursive: true });

  const givenDump = options['database-dump'];
  if (givenDump) {
    if (!existsSync(givenDump)) throw new Error(`--database-dump ${givenDump} does not exist`);
    renameSync(givenDump, `${partial}/database.dump`);
  } else {
    const pgDump = postgresTool('pg_dump');
    await runTool(pgDump, ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}/database.dump`, database.name], database.env);
  }
  const manifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    database: { name: database.name, file: 'database.dump', sha256: await fileSha256(`${partial}/database.dump`) },
    attachments: options['no-attachments'] ? null : { bucket, objects: await backUpAttachments(bucket, `${partial}/attachments`) },
  };
  writeFileSync(`${partial}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(partial, target);
  const objects = manifest.attachments ? `${manifest.attachments.objects.length} attachment objects` : 'no attachments (--no-attachments)';
  process.stdout.write(`backup written to ${target}: database ${database.name}, ${objects}\n`);
} catch (error) {
  rmSync(partial, { recursive: true, force: true });
  process.stderr.write(`db:backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

/** Copies every object of the bucket into `directory`, one file per object, and returns their manifest entries. */
async function backUpAttachments(bucketName, directory) {
  const { Objm } = await import('@nats-io/obj');
  const connection = await connectToNats('helpdesk-db-backup', 'check NATS_URL and its credentials, or pass --no-attachments to back up the database only');
  try {
    // Opened by name: listing every bucket needs $JS.API.STREAM.LIST, which the backup user is not given.
    let store;
    try {
      store = await new Objm(connection).open(bucketName);
    } catch (error) {
      // A deployment that never stored an attachment has no bucket yet: an empty backup, not an error.
      if (error instanceof Error && error.message === 'object store not found') return [];
      throw error;
    }
    const entries = [];
    for (const [index, info] of (await store.list()).entries()) {
      const bytes = await store.getBlob(info.name);
      if (!bytes) throw new Error(`object ${info.name} disappeared while the backup ran`);
      const file = `${index}.bin`;
      writeFileSync(`${directory}/${file}`, bytes);
      entries.push({ name: info.name, file, size: bytes.length, sha256: sha256(bytes), description: info.description, metadata: info.metadata });
    }
    return entries;
  } finally {
    await connection.close();
  }
}
