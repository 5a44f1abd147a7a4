import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which replica reads which mailbox (DESIGN section 13), as a lease row renewed by every sync
 * instead of a session advisory lock: a lock held on a connection does not survive a pooler in
 * transaction mode (PgBouncer), a row does. A dead replica's leases expire and are taken over.
 */
export class MailboxReaderLeases1766500000000 implements MigrationInterface {
  name = 'MailboxReaderLeases1766500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notification.mailbox_reader_leases (
        mailbox_id uuid PRIMARY KEY REFERENCES notification.mailboxes (id) ON DELETE CASCADE,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notification.mailbox_reader_leases`);
  }
}
