import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Views (DESIGN section 14): saved ticket filters, personal (owner_id) or shared (no owner). Every
 * existing organization gets the defaults a new one gets at signup (DEFAULT_VIEWS in the contracts,
 * copied here as they were when this ran: a migration must not change when the code does).
 * The partial index serves the "Breached" view's count, which otherwise reads every open ticket.
 */
const DEFAULTS = [
  { name: 'My open', query: { assigneeId: 'me', status: ['new', 'open', 'pending', 'on_hold'] }, sort: 'resolutionDueAt' },
  { name: 'Unassigned', query: { assigneeId: 'none', status: ['new', 'open'] }, sort: 'createdAt' },
  { name: 'Breached', query: { breached: true, status: ['new', 'open', 'pending', 'on_hold'] }, sort: 'resolutionDueAt' },
  { name: 'Waiting on customer', query: { status: ['pending'] }, sort: '-updatedAt' },
];

export class SavedViews1766870000000 implements MigrationInterface {
  name = 'SavedViews1766870000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.saved_views (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        owner_id uuid REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        name text NOT NULL,
        query jsonb NOT NULL,
        sort text,
        position integer NOT NULL,
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX saved_views_shared_name_key ON helpdesk.saved_views (organization_id, lower(name)) WHERE owner_id IS NULL`);
    await db.query(`CREATE UNIQUE INDEX saved_views_personal_name_key ON helpdesk.saved_views (owner_id, lower(name)) WHERE owner_id IS NOT NULL`);
    await db.query(`CREATE INDEX saved_views_organization_position_idx ON helpdesk.saved_views (organization_id, position, id)`);
    await db.query(
      `CREATE INDEX tickets_breached_idx ON helpdesk.tickets (organization_id, status)
         WHERE first_response_breached_at IS NOT NULL OR next_response_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL`,
    );
    for (const [index, view] of DEFAULTS.entries()) {
      await db.query(
        `INSERT INTO helpdesk.saved_views (organization_id, name, query, sort, position)
         SELECT organization.id, $1, $2::jsonb, $3, $4 FROM helpdesk.organizations organization
         ON CONFLICT DO NOTHING`,
        [view.name, JSON.stringify(view.query), view.sort, index + 1],
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.tickets_breached_idx`);
    await db.query(`DROP TABLE helpdesk.saved_views`);
  }
}
