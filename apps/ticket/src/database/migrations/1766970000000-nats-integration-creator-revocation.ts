import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An integration reads its organization's events as long as its NATS user is not revoked on the
 * public server, whoever made it: it is now revoked when its creator is deactivated or no longer an
 * admin, as a DELETE revokes it. `revoked_reason` and `revoked_by` say why and who; the gateway
 * revokes the NATS user of every revoked row whose `nats_user_revoked_at` is still empty, then sets it.
 * Integrations whose creator is already inactive, no admin or gone are revoked here; every revoked row
 * starts pending, so a DELETE whose NATS side failed (503) is completed too.
 */
export class NatsIntegrationCreatorRevocation1766970000000 implements MigrationInterface {
  name = 'NatsIntegrationCreatorRevocation1766970000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE helpdesk.nats_integrations
        ADD COLUMN revoked_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        ADD COLUMN revoked_reason text CONSTRAINT nats_integrations_revoked_reason_check CHECK (revoked_reason IN ('revoked', 'creator_deactivated', 'creator_demoted', 'creator_deleted')),
        ADD COLUMN nats_user_revoked_at timestamptz`);
    await db.query(`UPDATE helpdesk.nats_integrations SET revoked_reason = 'revoked' WHERE revoked_at IS NOT NULL`);
    await db.query(`
      UPDATE helpdesk.nats_integrations integration
         SET revoked_at = now(),
             revoked_reason = CASE WHEN creator.id IS NULL THEN 'creator_deleted' WHEN NOT creator.active THEN 'creator_deactivated' ELSE 'creator_demoted' END
        FROM helpdesk.nats_integrations live
        LEFT JOIN helpdesk.users creator ON creator.id = live.created_by
       WHERE integration.id = live.id AND live.revoked_at IS NULL AND (creator.id IS NULL OR NOT creator.active OR creator.role <> 'admin')`);
    await db.query(`CREATE INDEX nats_integrations_nats_user_pending_idx ON helpdesk.nats_integrations (organization_id) WHERE revoked_at IS NOT NULL AND nats_user_revoked_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.nats_integrations_nats_user_pending_idx`);
    await db.query(`ALTER TABLE helpdesk.nats_integrations DROP COLUMN nats_user_revoked_at, DROP COLUMN revoked_reason, DROP COLUMN revoked_by`);
  }
}
