import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureDatabase } from './lib/database.mjs';
import { loadEnvironmentReadOnly } from './lib/environment.mjs';
import { connectToNats, databaseSettings, fileSha256, postgresTool, runTool } from './lib/backup.mjs';

/**
 * npm run db:restore -- <backup folder> [--force]
 *
 * Restores a folder written by npm run db:backup into DB_NAME (created when missing) and the
 * attachment bucket ATTACHMENTS_BUCKET at NATS_URL (which may carry a NATS user, as for db:backup). Everything is verified against the manifest
 * before anything is changed; the database is restored in one transaction, so a failure leaves it
 * as it was. A database that already holds the helpdesk schemas is replaced only with --force.
 */
const { values: options, positionals } = parseArgs({ options: { force: { type: 'boolean', default: false } }, allowPositionals: true });

// The object store's own digest format: SHA-256 in padded base64url.
const objectStoreDigest = (bytes) => `SHA-256=${createHash('sha256').update(bytes).digest('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;

function fail(message) {
  process.stderr.write(`db:restore failed: ${message}\n`);
  process.exit(1);
}

if (positionals.length !== 1) fail('name the backup folder: npm run db:restore -- backups/helpdesk-<db>-<time>');
const folder = resolve(positionals[0]);
if (!existsSync(`${folder}/manifest.json`)) fail(`${folder} is not a backup folder (no manifest.json)`);

loadEnvironmentReadOnly();
const database = databaseSettings();
const manifest = JSON.parse(readFileSync(`${folder}/manifest.json`, 'utf8'));
if (manifest.format !== 1) fail(`unknown backup format ${manifest.format}`);

// Verify every file first: a damaged backup must not replace good data.
const dump = `${folder}/${manifest.database.file}`;
if (!existsSync(dump) || (await fileSha256(dump)) !== manifest.database.sha256) fail(`${manifest.database.file} is missing or damaged (SHA-256 differs from the manifest)`);
const objects = manifest.attachments?.objects ?? [];
for (const object of objects) {
  const file = `${folder}/attachments/${object.file}`;
  if (!existsSync(file) || (await fileSha256(file)) !== object.sha256) fail(`attachment ${object.name} (${object.file}) is missing or damaged`);
}

try {
  await ensureDatabase(database.name);
  if (!options.force && (await holdsHelpdeskData(database))) {
    fail(`database ${database.name} already holds the helpdesk or notification schema: pass --force to replace it`);
  }
  // --clean --if-exists replaces what exists; --single-transaction makes it all or nothing.
  const pgRestore = postgresTool('pg_restore');
  await runTool(pgRestore, ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${database.name}`, dump], database.env);
  const restored = manifest.attachments ? await restoreAttachments(manifest.attachments.bucket, objects) : 0;
  process.stdout.write(`restored database ${database.name} and ${restored} attachment objects from ${folder}\n`);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

async function holdsHelpdeskData({ name, env }) {
  const client = new pg.Client({ host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD, database: name });
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname IN ('helpdesk', 'notification')`);
    return rowCount > 0;
  } finally {
    await client.end();
  }
}

/** Puts every object back into the bucket (created when missing); objects already there with the same bytes are left alone. */
async function restoreAttachments(bucketName, entries) {
  const { Objm, StorageType } = await import('@nats-io/obj');
  const connection = await connectToNats('helpdesk-db-restore');
  try {
    // The gateway creates the bucket with the same options on first use.
    const store = await new Objm(connection).create(bucketName, { storage: StorageType.File });
    const present = new Map((await store.list()).map((info) => [info.name, info.digest]));
    let written = 0;
    for (const entry of entries) {
      const bytes = readFileSync(`${folder}/attachments/${entry.file}`);
      if (present.get(entry.name) === objectStoreDigest(bytes)) continue;
      await store.putBlob({ name: entry.name, description: entry.description, metadata: entry.metadata }, bytes);
      written += 1;
    }
    return written;
  } finally {
    await connection.close();
  }
}
