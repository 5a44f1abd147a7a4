import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An organization may mail people outside its staff only once its signup address is verified
 * (a new organization starts with NULL). Existing organizations count as verified, so nothing
 * changes for them. Verification links are user tokens of a third purpose.
 */
export class OrganizationEmailVerification1765200000000 implements MigrationInterface {
  name = 'OrganizationEmailVerification1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.organizations ADD COLUMN email_verified_at timestamptz`);
    await db.query(`UPDATE helpdesk.organizations SET email_verified_at = created_at`);
    await db.query(`ALTER TABLE helpdesk.user_tokens DROP CONSTRAINT user_tokens_purpose_check`);
    await db.query(`ALTER TABLE helpdesk.user_tokens ADD CONSTRAINT user_tokens_purpose_check CHECK (purpose IN ('password_reset', 'invitation', 'email_verification'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM helpdesk.user_tokens WHERE purpose = 'email_verification'`);
    await db.query(`ALTER TABLE helpdesk.user_tokens DROP CONSTRAINT user_tokens_purpose_check`);
    await db.query(`ALTER TABLE helpdesk.user_tokens ADD CONSTRAINT user_tokens_purpose_check CHECK (purpose IN ('password_reset', 'invitation'))`);
    await db.query(`ALTER TABLE helpdesk.organizations DROP COLUMN email_verified_at`);
  }
}
