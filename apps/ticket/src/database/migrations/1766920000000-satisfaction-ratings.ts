import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer satisfaction (DESIGN section 15): one rating per ticket, good or bad, with an optional
 * comment; changeable, so `updated_at` beside `rated_at`. Reports count ratings by `rated_at` per
 * organization. The survey that writes them comes later. Reports also read history rows that change
 * a ticket's status or priority by time (reopened, backlog), and first responses by time.
 */
export class SatisfactionRatings1766920000000 implements MigrationInterface {
  name = 'SatisfactionRatings1766920000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.satisfaction_ratings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        rating text NOT NULL CHECK (rating IN ('good', 'bad')),
        comment text,
        rated_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT satisfaction_ratings_ticket_key UNIQUE (ticket_id)
      )`);
    await db.query(`CREATE INDEX satisfaction_ratings_organization_rated_idx ON helpdesk.satisfaction_ratings (organization_id, rated_at)`);
    await db.query(`CREATE INDEX ticket_events_status_changes_idx ON helpdesk.ticket_events (organization_id, created_at) WHERE changes ? 'status' OR changes ? 'priority'`);
    await db.query(`CREATE INDEX tickets_first_responded_idx ON helpdesk.tickets (organization_id, first_responded_at) WHERE first_responded_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.tickets_first_responded_idx`);
    await db.query(`DROP INDEX helpdesk.ticket_events_status_changes_idx`);
    await db.query(`DROP TABLE helpdesk.satisfaction_ratings`);
  }
}
