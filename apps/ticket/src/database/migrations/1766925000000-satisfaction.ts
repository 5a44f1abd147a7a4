import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer satisfaction (DESIGN section 15). The rating lives on the ticket (one per ticket, staff see
 * it with the ticket, reports count it); the survey link's token lives in `satisfaction_surveys`, one
 * row per ticket, replaced when the ticket is solved again. Only the token's SHA-256 is stored.
 */
export class Satisfaction1766925000000 implements MigrationInterface {
  name = 'Satisfaction1766925000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE helpdesk.tickets
        ADD COLUMN satisfaction_rating text CHECK (satisfaction_rating IN ('good', 'bad')),
        ADD COLUMN satisfaction_comment text,
        ADD COLUMN satisfaction_rated_at timestamptz,
        ADD COLUMN satisfaction_updated_at timestamptz`);
    await db.query(`
      CREATE TABLE helpdesk.satisfaction_surveys (
        ticket_id uuid PRIMARY KEY REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        requester_id uuid NOT NULL REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT satisfaction_surveys_token_hash_key UNIQUE (token_hash)
      )`);
    await db.query(`CREATE INDEX tickets_satisfaction_rated_idx ON helpdesk.tickets (organization_id, satisfaction_rated_at) WHERE satisfaction_rating IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE helpdesk.satisfaction_surveys`);
    await db.query(`DROP INDEX helpdesk.tickets_satisfaction_rated_idx`);
    await db.query(`ALTER TABLE helpdesk.tickets DROP COLUMN satisfaction_rating, DROP COLUMN satisfaction_comment, DROP COLUMN satisfaction_rated_at, DROP COLUMN satisfaction_updated_at`);
  }
}
