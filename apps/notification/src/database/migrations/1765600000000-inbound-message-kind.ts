import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What kind of sender wrote each inbound message (a person, or an auto-reply, list, bulk, bounce or
 * mail system): a ticket opened by a machine is never acknowledged by mail, which would start a loop.
 */
export class InboundMessageKind1765600000000 implements MigrationInterface {
  name = 'InboundMessageKind1765600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE notification.inbound_messages ADD COLUMN kind text NOT NULL DEFAULT 'personal'
        CHECK (kind IN ('personal', 'auto-reply', 'bulk', 'list', 'bounce', 'system'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification.inbound_messages DROP COLUMN kind`);
  }
}
