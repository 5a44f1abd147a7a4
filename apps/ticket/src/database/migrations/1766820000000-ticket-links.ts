import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links between tickets (DESIGN section 14), each stored once: `related` (either way round),
 * `parent` (source_id is the parent of target_id) and `merged_into` (source_id was merged into
 * target_id, written only by a merge).
 */
export class TicketLinks1766820000000 implements MigrationInterface {
  name = 'TicketLinks1766820000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.ticket_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        source_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        target_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('related', 'parent', 'merged_into')),
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (source_id <> target_id)
      )`);
    // One link between two tickets, whichever way round it was made.
    await db.query(`CREATE UNIQUE INDEX ticket_links_pair_idx ON helpdesk.ticket_links (LEAST(source_id, target_id), GREATEST(source_id, target_id))`);
    // A ticket is merged once.
    await db.query(`CREATE UNIQUE INDEX ticket_links_merged_once_idx ON helpdesk.ticket_links (source_id) WHERE kind = 'merged_into'`);
    // A ticket's links from either side (the pair index is on expressions, so it cannot serve these lookups).
    await db.query(`CREATE INDEX ticket_links_source_idx ON helpdesk.ticket_links (source_id, kind)`);
    await db.query(`CREATE INDEX ticket_links_target_idx ON helpdesk.ticket_links (target_id, kind)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE helpdesk.ticket_links`);
  }
}
