import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Objm } from '@nats-io/obj';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, natsInboxPrefix, subjects } from '@helpdesk/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, freePort, TestNatsServer } from '@helpdesk/testing';
import { natsConnectionOptions } from '../../libs/common/src/nats/nats-options.js';

/**
 * db:backup and db:restore against a NATS that, as in production, accepts only the platform's own
 * users (k8s/nats/nats-values.yaml): NATS_URL carries the backup user's credentials. The scripts
 * read the NATS_URL parser from dist/ (npm run build).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const BUCKET = 'helpdesk-attachments';
const OBJECTS = { 'org-1/ticket-1/report.pdf': 'PDF bytes of a report', 'org-2/ticket-9/photo.jpg': 'JPEG bytes of a photo' };

let nats: TestNatsServer;
let database: { name: string; drop(): Promise<void> };
let backups: string;

const runScript = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [`${ROOT}/scripts/${script}`, ...args], { cwd: ROOT, env: { ...process.env, DB_NAME: database.name, ATTACHMENTS_BUCKET: BUCKET, ...env }, encoding: 'utf8' });

/** As the gateway, which owns the bucket in production. */
async function asGateway<T>(action: (objm: Objm) => Promise<T>): Promise<T> {
  const connection: NatsConnection = await connect(natsConnectionOptions({ NATS_URL: nats.urlFor('gateway') }, 'gateway', 'backup-test-gateway'));
  try {
    return await action(new Objm(connection));
  } finally {
    await connection.close();
  }
}

const bucketContents = () =>
  asGateway(async (objm) => {
    const store = await objm.open(BUCKET);
    const contents: Record<string, string> = {};
    for (const info of await store.list()) contents[info.name] = new TextDecoder().decode((await store.getBlob(info.name))!);
    return contents;
  });

async function notes(): Promise<string[]> {
  const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: database.name });
  await client.connect();
  try {
    return (await client.query<{ body: string }>('SELECT body FROM helpdesk.notes ORDER BY body')).rows.map((row) => row.body);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  nats = await TestNatsServer.start({ serviceUsers: true, refuseAnonymous: true });
  database = await createTestDatabase('backup_nats');
  const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: database.name });
  await client.connect();
  await client.query(`CREATE SCHEMA helpdesk; CREATE TABLE helpdesk.notes (body text); INSERT INTO helpdesk.notes VALUES ('first'), ('second')`);
  await client.end();
  await asGateway(async (objm) => {
    const store = await objm.create(BUCKET);
    for (const [name, body] of Object.entries(OBJECTS)) await store.putBlob({ name }, new TextEncoder().encode(body));
  });
  backups = mkdtempSync(join(tmpdir(), 'helpdesk-backup-nats-'));
});

afterAll(async () => {
  await nats?.destroy();
  await database?.drop();
  if (backups) rmSync(backups, { recursive: true, force: true });
});

describe('db:backup and db:restore with a NATS user in NATS_URL', () => {
  it('back up and restore the bucket as the backup user, the only access it has', async () => {
    const backup = runScript('db-backup.mjs', ['--out', backups], { NATS_URL: nats.urlFor('backup') });
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toContain('2 attachment objects');
    const [folder] = readdirSync(backups);

    // Wiped as the gateway can (deleting a bucket is no platform user's right): every object deleted.
    await asGateway(async (objm) => {
      const store = await objm.open(BUCKET);
      for (const name of Object.keys(OBJECTS)) await store.delete(name);
    });
    expect(await bucketContents()).toEqual({});
    await database.drop();

    const restore = runScript('db-restore.mjs', [join(backups, folder)], { NATS_URL: nats.urlFor('backup') });
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('and 2 attachment objects');
    expect(await bucketContents()).toEqual(OBJECTS);
    expect(await notes()).toEqual(['first', 'second']);
  });

  it('gives the backup user the bucket and nothing else: no command, no events stream, no other inbox', async () => {
    const { parseNatsUrl } = await import('../../libs/common/src/nats/nats-options.js');
    const { servers, credentials } = parseNatsUrl(nats.urlFor('backup'));
    const backupUser = await connect({ servers, ...credentials, inboxPrefix: natsInboxPrefix('backup') });
    try {
      await expect(backupUser.request(subjects.auth.issueRefreshToken, '{}', { timeout: 2_000 })).rejects.toThrow(/permissions violation/i);
      await expect(jetstreamManager(backupUser).then((manager) => manager.streams.info(EVENTS_STREAM))).rejects.toThrow(/permissions violation/i);
      const otherInbox = backupUser.subscribe('_INBOX_gateway.>');
      await expect(otherInbox.closed).resolves.toBeInstanceOf(Error);
    } finally {
      await backupUser.close();
    }
  });

  it('fails, naming the server but not the password, when the NATS user is refused', () => {
    const wrong = nats.urlFor('backup').replace(/:[0-9a-f]+@/, ':not-the-password@');
    const out = mkdtempSync(join(backups, 'refused-'));
    const backup = runScript('db-backup.mjs', ['--out', out], { NATS_URL: wrong });
    expect(backup.status).toBe(1);
    expect(backup.stderr).toContain(`db:backup failed: cannot reach NATS at nats://127.0.0.1:${nats.port} for the attachment bucket`);
    expect(backup.stderr).toContain('pass --no-attachments to back up the database only');
    expect(backup.stderr).not.toContain('not-the-password');
    expect(readdirSync(out)).toEqual([]);
  });

  it('fails when NATS cannot be reached, and backs up the database alone only with --no-attachments', async () => {
    const nowhere = `nats://backup:secret@127.0.0.1:${await freePort()}`;
    const out = mkdtempSync(join(backups, 'unreachable-'));
    const failed = runScript('db-backup.mjs', ['--out', out], { NATS_URL: nowhere });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^db:backup failed: cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+ for the attachment bucket/);
    expect(readdirSync(out)).toEqual([]);

    const databaseOnly = runScript('db-backup.mjs', ['--out', out, '--no-attachments'], { NATS_URL: nowhere });
    expect(databaseOnly.status, databaseOnly.stderr).toBe(0);
    expect(databaseOnly.stdout).toContain('no attachments (--no-attachments)');
    const [folder] = readdirSync(out);
    expect(JSON.parse(readFileSync(join(out, folder, 'manifest.json'), 'utf8')).attachments).toBeNull();
  });
});
