import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin alerts belong to no organization; account mails whose link can no longer be issued
 * (the user was deactivated, the invitation already accepted) end as 'cancelled', neither sent nor dead.
 */
export class AccountAndAdminMails1764600000000 implements MigrationInterface {
  name = 'AccountAndAdminMails1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification.deliveries ALTER COLUMN organization_id DROP NOT NULL`);
    await db.query(`ALTER TABLE notification.deliveries DROP CONSTRAINT deliveries_status_check`);
    await db.query(`ALTER TABLE notification.deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('queued', 'sent', 'failed', 'dead', 'cancelled'))`);
    // The organization-scoped dead-letter replay of the admin endpoint.
    await db.query(`CREATE INDEX deliveries_dead_org_idx ON notification.deliveries (organization_id, created_at) WHERE status = 'dead'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notification.deliveries_dead_org_idx`);
    await db.query(`UPDATE notification.deliveries SET status = 'dead' WHERE status = 'cancelled'`);
    await db.query(`ALTER TABLE notification.deliveries DROP CONSTRAINT deliveries_status_check`);
    await db.query(`ALTER TABLE notification.deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('queued', 'sent', 'failed', 'dead'))`);
    await db.query(`DELETE FROM notification.deliveries WHERE organization_id IS NULL`);
    await db.query(`ALTER TABLE notification.deliveries ALTER COLUMN organization_id SET NOT NULL`);
  }
}
