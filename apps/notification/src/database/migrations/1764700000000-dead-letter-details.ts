import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the admins' dead-letter pages show: every failed attempt's error (not only the last one) and
 * when the delivery was given up, listed newest first per organization.
 */
export class DeadLetterDetails1764700000000 implements MigrationInterface {
  name = 'DeadLetterDetails1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification.deliveries ADD COLUMN errors jsonb NOT NULL DEFAULT '[]'::jsonb, ADD COLUMN dead_at timestamptz`);
    // Rows given up before this migration: their last error is all that is known, and they died at their last change.
    await db.query(`
      UPDATE notification.deliveries
      SET dead_at = updated_at,
          errors = CASE WHEN last_error IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('at', updated_at, 'attempt', attempts, 'error', last_error)) END
      WHERE status = 'dead'`);
    // GET /admin/notifications/dead-letters: one organization's, newest first, keyset-paged on (dead_at, id).
    await db.query(`CREATE INDEX deliveries_dead_org_recent_idx ON notification.deliveries (organization_id, dead_at DESC, id DESC) WHERE status = 'dead'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notification.deliveries_dead_org_recent_idx`);
    await db.query(`ALTER TABLE notification.deliveries DROP COLUMN dead_at, DROP COLUMN errors`);
  }
}
