import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { Objm } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiStack, createTestDatabase, migrateBuilt } from '@helpdesk/testing';
import { ROOT } from './manifests.js';

const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const BUCKET = 'helpdesk-attachments';

let stack: ApiStack;
let database: { name: string; drop(): Promise<void> };
let backups: string;
let env: Record<string, string>;

const runScript = (script: string, args: string[]) => spawnSync(process.execPath, [`${ROOT}/scripts/${script}`, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });

const query = async <T,>(sql: string): Promise<T[]> => {
  const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: database.name });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
};

/** Row count and a checksum of every row of every table of both schemas, and the migrations applied. */
async function databaseContents(): Promise<Record<string, string>> {
  const tables = await query<{ schema: string; table: string }>(
    `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables WHERE table_schema IN ('helpdesk', 'notification') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
  );
  const contents: Record<string, string> = {};
  for (const { schema, table } of tables) {
    const [row] = await query<{ rows: string; checksum: string | null }>(
      `SELECT count(*)::text AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS checksum FROM "${schema}"."${table}" t`,
    );
    contents[`${schema}.${table}`] = `${row.rows} rows, ${row.checksum ?? 'empty'}`;
  }
  return contents;
}

async function bucketContents(): Promise<Record<string, string>> {
  const connection = await connect({ servers: env.NATS_URL });
  try {
    const store = await new Objm(connection).open(BUCKET);
    return Object.fromEntries((await store.list()).map((info) => [info.name, `${info.size} bytes, ${info.digest}`]));
  } finally {
    await connection.close();
  }
}

async function destroyBucket(): Promise<void> {
  const connection = await connect({ servers: env.NATS_URL });
  try {
    await (await new Objm(connection).open(BUCKET)).destroy();
  } finally {
    await connection.close();
  }
}

beforeAll(async () => {
  database = await createTestDatabase('backup', { migrated: true });
  stack = await ApiStack.start('backup', { env: { DB_NAME: database.name } });
  env = { DB_NAME: database.name, NATS_URL: stack.nats.url, ATTACHMENTS_BUCKET: BUCKET };
  migrateBuilt(['notification'], env);
  backups = mkdtempSync(join(tmpdir(), 'helpdesk-backups-'));

  // Real data through the API: an organization and its admin, tickets with comments, an attachment.
  const admin = await stack.signup('Backup Test Org');
  for (const subject of ['Printer on fire', 'Invoice is wrong', 'Cannot log in']) {
    const ticket = await stack.request('POST', '/api/v1/tickets', { token: admin.token, body: { subject, description: `<p>${subject}, details</p>` } });
    expect(ticket.status).toBe(201);
    expect((await stack.request('POST', `/api/v1/tickets/${ticket.body.id}/comments`, { token: admin.token, body: { body: 'Looking into it', internal: false } })).status).toBe(201);
  }
  const [first] = (await stack.request('GET', '/api/v1/tickets', { token: admin.token })).body.items;
  const form = new FormData();
  form.append('file', new Blob([PIXEL_PNG], { type: 'application/octet-stream' }), 'pixel.png');
  const upload = await fetch(`${stack.url}/api/v1/tickets/${first.id}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: form });
  expect(upload.status, await upload.clone().text()).toBe(201);
});

afterAll(async () => {
  await stack?.stop();
  await database?.drop();
  if (backups) rmSync(backups, { recursive: true, force: true });
});

describe('npm run db:backup and db:restore', () => {
  it('restore a wiped database and attachment bucket to the contents they had when backed up', async () => {
    // The services stop first: their background jobs (report facts every 2 s, rollups and snapshots every
    // 15 s) would otherwise write between this reading of the contents and the backup.
    await Promise.all([stack.ticket, ...stack.gateways].map((service) => service.kill()));
    const before = { database: await databaseContents(), bucket: await bucketContents() };
    expect(before.database['helpdesk.tickets']).toMatch(/^3 rows/);
    expect(Object.keys(before.bucket)).toHaveLength(1);

    const backup = runScript('db-backup.mjs', ['--out', backups]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toContain('1 attachment objects');
    const [folder] = readdirSync(backups);

    // Wipe: the database is dropped and the bucket destroyed.
    await database.drop();
    await destroyBucket();

    const restore = runScript('db-restore.mjs', [join(backups, folder)]);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('and 1 attachment objects');
    expect({ database: await databaseContents(), bucket: await bucketContents() }).toEqual(before);
  });

  it('refuses to replace a database that holds data without --force, and changes nothing', async () => {
    const before = await databaseContents();
    const [folder] = readdirSync(backups);
    const refused = runScript('db-restore.mjs', [join(backups, folder)]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`database ${database.name} already holds the helpdesk or notification schema: pass --force to replace it`);
    await query(`DELETE FROM helpdesk.comments`);
    const forced = runScript('db-restore.mjs', [join(backups, folder), '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('and 0 attachment objects');
    expect(await databaseContents()).toEqual(before);
  });

  it('refuses a damaged backup before touching anything', async () => {
    const [folder] = readdirSync(backups);
    writeFileSync(join(backups, folder, 'attachments', '0.bin'), 'tampered');
    const refused = runScript('db-restore.mjs', [join(backups, folder), '--force']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/attachment .* \(0\.bin\) is missing or damaged/);
  });

  it('refuses a folder that is not a backup', () => {
    const refused = runScript('db-restore.mjs', [tmpdir()]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('is not a backup folder (no manifest.json)');
  });
});
