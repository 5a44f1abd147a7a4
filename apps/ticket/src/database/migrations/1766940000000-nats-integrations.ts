import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * NATS integrations (issue 21): credentials for the public NATS server, one NATS user each. Every
 * public command verifies its integration by id and organization, hence the primary key suffices;
 * listing reads an organization's live ones. A ticket's history names the integration a change was
 * made with (`integration`, `{ id, name }`), as it names API tokens.
 */
export class NatsIntegrations1766940000000 implements MigrationInterface {
  name = 'NatsIntegrations1766940000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.nats_integrations (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        nats_user_public_key text NOT NULL,
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz,
        CONSTRAINT nats_integrations_nats_user_public_key_key UNIQUE (nats_user_public_key)
      )`);
    await db.query(`CREATE INDEX nats_integrations_organization_live_idx ON helpdesk.nats_integrations (organization_id, created_at) WHERE revoked_at IS NULL`);
    await db.query(`ALTER TABLE helpdesk.ticket_events ADD COLUMN integration jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.ticket_events DROP COLUMN integration`);
    await db.query(`DROP TABLE helpdesk.nats_integrations`);
  }
}
