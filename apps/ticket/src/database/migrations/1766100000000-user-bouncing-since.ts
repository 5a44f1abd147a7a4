import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Since when mail to a user's address bounces (a delivery-status report named it failed): no mail is
 * sent to it until staff clear the mark or the user writes in again. Null for working addresses.
 */
export class UserBouncingSince1766100000000 implements MigrationInterface {
  name = 'UserBouncingSince1766100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.users ADD COLUMN bouncing_since timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.users DROP COLUMN bouncing_since`);
  }
}
