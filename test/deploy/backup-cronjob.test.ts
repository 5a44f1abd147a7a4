import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { Objm } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestNatsServer } from '@helpdesk/testing';
import { natsConnectionOptions } from '../../libs/common/src/nats/nats-options.js';
import { CHART, ROOT, k8sTools, parseObjects, run, type K8sObject } from './manifests.js';

/**
 * The chart's backup CronJob: where its NATS_URL comes from, and its two steps (pg_dump in the
 * postgres image, then db:backup in the helpdesk image) run here against a real database and a
 * nats-server that accepts only the platform's users. Its scripts read dist/ (npm run build).
 */
const BUCKET = 'helpdesk-attachments';

function render(...sets: string[]): K8sObject[] {
  const rendered = run(k8sTools().helm, ['template', 'helpdesk', CHART, '--set', 'backup.enabled=true', ...sets.flatMap((set) => ['--set', set])]);
  expect(rendered.status, rendered.stderr).toBe(0);
  return parseObjects(rendered.stdout);
}

const podSpec = (objects: K8sObject[]) => objects.find((object) => object.kind === 'CronJob')!.spec.jobTemplate.spec.template.spec;
const backupContainer = (objects: K8sObject[]) => podSpec(objects).containers.find((container: K8sObject) => container.name === 'backup');
const variable = (container: K8sObject, name: string) => container.env.find((entry: K8sObject) => entry.name === name);

describe("the backup CronJob's NATS_URL", () => {
  it('comes from key backup of nats.existingSecret, the backup NATS user, as each service gets its own', () => {
    const objects = render('nats.existingSecret=helpdesk-nats');
    expect(variable(backupContainer(objects), 'NATS_URL')).toEqual({ name: 'NATS_URL', valueFrom: { secretKeyRef: { name: 'helpdesk-nats', key: 'backup' } } });
    const natsPolicy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === 'helpdesk-backup-nats')!;
    expect(natsPolicy.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('backup');
    expect(natsPolicy.spec.egress).toEqual([{ ports: [{ port: 4222, protocol: 'TCP' }] }]);
  });

  it('is nats.url without an existing Secret', () => {
    expect(variable(backupContainer(render('config.nodeEnv=development', 'nats.url=nats://nats.example:4222')), 'NATS_URL')).toEqual({ name: 'NATS_URL', value: 'nats://nats.example:4222' });
  });

  it('is absent, and the bucket left out explicitly, with backup.attachments false', () => {
    const objects = render('nats.existingSecret=helpdesk-nats', 'backup.attachments=false');
    const container = backupContainer(objects);
    expect(variable(container, 'NATS_URL')).toBeUndefined();
    expect(container.command[2]).toContain('--no-attachments');
    expect(objects.find((object) => object.metadata.name === 'helpdesk-backup-nats')).toBeUndefined();
  });
});

describe("the backup CronJob's steps", () => {
  let nats: TestNatsServer;
  let database: { name: string; drop(): Promise<void> };
  let folder: string;

  beforeAll(async () => {
    nats = await TestNatsServer.start({ serviceUsers: true, refuseAnonymous: true });
    database = await createTestDatabase('backup_cronjob');
    const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: database.name });
    await client.connect();
    await client.query(`CREATE SCHEMA helpdesk; CREATE TABLE helpdesk.tickets (subject text); INSERT INTO helpdesk.tickets VALUES ('Printer on fire')`);
    await client.end();
    const connection = await connect(natsConnectionOptions({ NATS_URL: nats.urlFor('gateway') }, 'gateway', 'cronjob-test-gateway'));
    await (await new Objm(connection).create(BUCKET)).putBlob({ name: 'org-1/ticket-1/pixel.png' }, new TextEncoder().encode('PNG bytes'));
    await connection.close();
    folder = mkdtempSync(join(tmpdir(), 'helpdesk-cronjob-'));
  });

  afterAll(async () => {
    await nats?.destroy();
    await database?.drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('write one folder with the dump and the bucket, as the backup NATS user, and prune only backups older than the retention', async () => {
    const spec = podSpec(render('nats.existingSecret=helpdesk-nats', 'backup.retentionDays=14'));
    const [pgDump] = spec.initContainers;
    const backup = spec.containers.find((container: K8sObject) => container.name === 'backup');

    const day = 24 * 60 * 60;
    const now = Date.now() / 1000;
    for (const [name, ageDays] of [['helpdesk-helpdesk-20260101T021500Z', 20], ['helpdesk-helpdesk-20261130T021500Z', 3], ['helpdesk-old.dump', 20], ['notes.txt', 40]] as const) {
      if (name.endsWith('Z')) mkdirSync(join(folder, name));
      else writeFileSync(join(folder, name), 'earlier');
      utimesSync(join(folder, name), now - ageDays * day, now - ageDays * day);
    }
    // Each container's own literal variables, pointed at this machine's PostgreSQL and nats-server;
    // NATS_URL is what the Secret's key backup holds: the backup user's URL.
    const literal = (container: K8sObject) => Object.fromEntries(container.env.filter((entry: K8sObject) => entry.value !== undefined).map((entry: K8sObject) => [entry.name, entry.value]));
    const dumped = spawnSync('sh', ['-ec', pgDump.command[2]], {
      env: { ...process.env, ...literal(pgDump), BACKUP_DIR: folder, PGHOST: process.env.DB_HOST || '127.0.0.1', PGPORT: process.env.DB_PORT || '5432', PGUSER: process.env.DB_USER || 'postgres', PGDATABASE: database.name },
      encoding: 'utf8',
    });
    expect(dumped.status, dumped.stderr).toBe(0);
    const backedUp = spawnSync('sh', ['-ec', backup.command[2]], {
      cwd: ROOT,
      env: { ...process.env, ...literal(backup), PATH: `${dirname(process.execPath)}:${process.env.PATH}`, BACKUP_DIR: folder, DB_NAME: database.name, NATS_URL: nats.urlFor('backup') },
      encoding: 'utf8',
    });
    expect(backedUp.status, backedUp.stderr).toBe(0);
    expect(backedUp.stdout).toContain('1 attachment objects');

    const entries = readdirSync(folder).sort();
    const written = entries.find((entry) => new RegExp(`^helpdesk-${database.name}-\\d{8}T\\d{6}Z$`).test(entry));
    expect(written, entries.join(', ')).toBeDefined();
    expect(entries).toEqual([written, 'helpdesk-helpdesk-20261130T021500Z', 'notes.txt'].sort());
    const manifest = JSON.parse(readFileSync(join(folder, written!, 'manifest.json'), 'utf8'));
    expect(manifest.attachments.objects.map((object: { name: string }) => object.name)).toEqual(['org-1/ticket-1/pixel.png']);
    const listing = spawnSync('pg_restore', ['--list', join(folder, written!, 'database.dump')], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    expect(listing.stdout).toContain('TABLE DATA helpdesk tickets');
  });

  it('fails the Job when NATS refuses the backup user, leaving no backup', () => {
    const spec = podSpec(render('nats.existingSecret=helpdesk-nats'));
    const before = readdirSync(folder).sort();
    writeFileSync(join(folder, '.database.dump'), 'a dump from the pg_dump step');
    const backedUp = spawnSync('sh', ['-ec', spec.containers[0].command[2]], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, BACKUP_DIR: folder, DB_NAME: database.name, NATS_URL: nats.urlFor('backup').replace(/:[0-9a-f]+@/, ':wrong@') },
      encoding: 'utf8',
    });
    expect(backedUp.status).toBe(1);
    expect(backedUp.stderr).toContain(`db:backup failed: cannot reach NATS at nats://127.0.0.1:${nats.port} for the attachment bucket`);
    expect(readdirSync(folder).filter((entry) => entry !== '.database.dump').sort()).toEqual(before);
  });
});
