import pg from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadConfig, runMigrations } from '@helpdesk/common';
import { NotificationConfig } from '../../apps/notification/src/notification.config.js';
import { notificationMigrations } from '../../apps/notification/src/database/migrations/index.js';
import { NOTIFICATION_SCHEMA } from '../../apps/notification/src/database/schema.js';
import { TicketConfig } from '../../apps/ticket/src/ticket.config.js';
import { ticketMigrations } from '../../apps/ticket/src/database/migrations/index.js';
import { TICKET_SCHEMA } from '../../apps/ticket/src/database/schema.js';

const admin = () =>
  new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: 'postgres' });

const MIGRATION_DIRECTORIES = ['ticket', 'notification'].map((service) => new URL(`../../apps/${service}/src/database/migrations/`, import.meta.url));
const TEMPLATE_PREFIX = 'helpdesk_test_template_';

/** Named after the sources of every migration: a changed or added migration makes a new template. */
function templateName(): string {
  const hash = createHash('sha256');
  for (const directory of MIGRATION_DIRECTORIES) {
    for (const file of readdirSync(directory).sort()) hash.update(file).update(readFileSync(new URL(file, directory)));
  }
  return `${TEMPLATE_PREFIX}${hash.digest('hex').slice(0, 12)}`;
}

let template: Promise<string> | undefined;

/**
 * A database with both schemas migrated, which test databases are copied from: copying takes a
 * fraction of a second, while running every migration took each test file's service 1 to 5 s. Built
 * once, by the first test process to need it (the others wait on the lock); older ones are dropped.
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = templateName();
    const client = admin();
    await client.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext('${TEMPLATE_PREFIX}'))`);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) {
        // Built under another name and renamed when complete: a template is never seen half migrated.
        const building = `${name}_building`;
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(building)} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(building)}`);
        await runMigrations({ config: loadConfig(TicketConfig, { DB_NAME: building }), schema: TICKET_SCHEMA, migrations: ticketMigrations, direction: 'up' });
        await runMigrations({ config: loadConfig(NotificationConfig, { DB_NAME: building }), schema: NOTIFICATION_SCHEMA, migrations: notificationMigrations, direction: 'up' });
        await client.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(name)}`);
        const older = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2`, [TEMPLATE_PREFIX, name]);
        for (const { datname } of older.rows) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
      return name;
    } finally {
      await client.end();
    }
  })();
  // A failed build is tried again by the next caller, not remembered.
  template.catch(() => (template = undefined));
  return template;
}

/**
 * A throwaway PostgreSQL database for one test file; `drop()` removes it even with connections open.
 * `migrated`: with the ticket and notification schemas already migrated (copied from the template).
 */
export async function createTestDatabase(label: string, options: { migrated?: boolean } = {}): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `helpdesk_test_${label}_${randomBytes(4).toString('hex')}`;
  const source = options.migrated ? await migratedTemplate() : undefined;
  const client = admin();
  await client.connect();
  await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${source ? ` TEMPLATE ${pg.escapeIdentifier(source)}` : ''}`);
  await client.end();
  return {
    name,
    async drop() {
      const cleanup = admin();
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
