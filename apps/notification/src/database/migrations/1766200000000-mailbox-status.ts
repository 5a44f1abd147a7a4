import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a mailbox shows its admins (DESIGN section 13): the IMAP reader's last poll and last error,
 * how long it has been failing and whether that incident was announced (once per incident), the
 * counts of what its mail became, and when each raw message left the bucket under the retention.
 */
export class MailboxStatus1766200000000 implements MigrationInterface {
  name = 'MailboxStatus1766200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE notification.mailboxes
        ADD COLUMN last_poll_at timestamptz,
        ADD COLUMN last_error text,
        ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN failing_since timestamptz,
        ADD COLUMN failure_announced_at timestamptz,
        ADD COLUMN messages_received bigint NOT NULL DEFAULT 0,
        ADD COLUMN tickets_created bigint NOT NULL DEFAULT 0,
        ADD COLUMN comments_added bigint NOT NULL DEFAULT 0,
        ADD COLUMN duplicates bigint NOT NULL DEFAULT 0,
        ADD COLUMN failures bigint NOT NULL DEFAULT 0`);
    await db.query(`ALTER TABLE notification.inbound_messages ADD COLUMN raw_purged_at timestamptz`);
    // The retention purge walks the messages whose raw copy is still kept, oldest first.
    await db.query(`CREATE INDEX inbound_messages_raw_kept_idx ON notification.inbound_messages (received_at) WHERE raw_purged_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notification.inbound_messages_raw_kept_idx`);
    await db.query(`ALTER TABLE notification.inbound_messages DROP COLUMN raw_purged_at`);
    await db.query(`
      ALTER TABLE notification.mailboxes
        DROP COLUMN last_poll_at, DROP COLUMN last_error, DROP COLUMN consecutive_failures, DROP COLUMN failing_since, DROP COLUMN failure_announced_at,
        DROP COLUMN messages_received, DROP COLUMN tickets_created, DROP COLUMN comments_added, DROP COLUMN duplicates, DROP COLUMN failures`);
  }
}
