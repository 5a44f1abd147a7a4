import { loadConfig, runMigrations } from '@helpdesk/common';
import { createTestDatabase } from '@helpdesk/testing';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationConfig } from '../notification.config.js';
import { notificationMigrations } from './migrations/index.js';
import { NOTIFICATION_SCHEMA } from './schema.js';

describe('notification service migrations', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: NotificationConfig;
  let inspector: DataSource;

  const tables = async () =>
    ((await inspector.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY table_name`, [NOTIFICATION_SCHEMA])) as Array<{ table_name: string }>).map(
      (row) => row.table_name,
    );
  const migrate = (direction: 'up' | 'down') => runMigrations({ config, schema: NOTIFICATION_SCHEMA, migrations: notificationMigrations, direction });

  beforeAll(async () => {
    database = await createTestDatabase('notification_migrations');
    config = loadConfig(NotificationConfig, { DB_NAME: database.name });
    inspector = new DataSource({ type: 'postgres', host: config.DB_HOST, port: config.DB_PORT, username: config.DB_USER, database: database.name });
    await inspector.initialize();
  });

  afterAll(async () => {
    await inspector?.destroy();
    await database?.drop();
  });

  it('apply to an empty database, are idempotent, and revert one by one back to nothing', async () => {
    expect(await migrate('up')).toEqual(notificationMigrations.map((migration) => new migration().name));
    expect(await tables()).toEqual(['deliveries', 'inbound_messages', 'mailbox_reader_leases', 'mailboxes', 'webhook_deliveries', 'webhooks']);
    expect(await migrate('up')).toEqual([]);
    for (let remaining = notificationMigrations.length; remaining > 0; remaining -= 1) expect(await migrate('down')).toHaveLength(1);
    expect(await tables()).toEqual([]);
    expect(await migrate('up')).toHaveLength(notificationMigrations.length);
  });

  it('keeps an address to one mailbox whatever its case, and a Message-ID to one record per mailbox', async () => {
    const insertMailbox = (address: string) =>
      inspector.query(`INSERT INTO notification.mailboxes (organization_id, address, inbound_token_hash) VALUES (gen_random_uuid(), $1, 'hash') RETURNING id`, [address]) as Promise<Array<{ id: string }>>;
    const [mailbox] = await insertMailbox('help@example.com');
    await expect(insertMailbox('HELP@example.com')).rejects.toThrow(/mailboxes_address_key/);
    const record = () =>
      inspector.query(`INSERT INTO notification.inbound_messages (mailbox_id, organization_id, message_id, object_key) VALUES ($1, gen_random_uuid(), '<a@b>', 'k')`, [mailbox!.id]);
    await record();
    await expect(record()).rejects.toThrow(/inbound_messages_once/);
    // Half-written IMAP settings are refused: either all of them or none.
    await expect(inspector.query(`UPDATE notification.mailboxes SET imap_host = 'imap.example.com' WHERE id = $1`, [mailbox!.id])).rejects.toThrow(/mailboxes_imap_complete/);
  });
});
