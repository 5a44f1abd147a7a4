import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom ticket fields (DESIGN section 14): the organization's definitions, and each ticket's values
 * as one jsonb object by key. A NOT NULL column with a constant default rewrites no rows.
 * The filter `fields @> {"key": value}` is served, within the organization, by one GIN index over
 * both columns (btree_gin lends GIN its uuid equality; jsonb_path_ops is the compact containment
 * opclass), so a filtered queue never walks the organization's other tickets.
 */
export class TicketCustomFields1766810000000 implements MigrationInterface {
  name = 'TicketCustomFields1766810000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.ticket_fields (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,49}$'),
        label text NOT NULL,
        type text NOT NULL CHECK (type IN ('text', 'number', 'date', 'dropdown', 'multiselect', 'checkbox')),
        options jsonb NOT NULL DEFAULT '[]',
        required_to_solve boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ticket_fields_organization_key_key UNIQUE (organization_id, key)
      )`);
    await db.query(`ALTER TABLE helpdesk.tickets ADD COLUMN fields jsonb NOT NULL DEFAULT '{}'`);
    await db.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await db.query(`CREATE INDEX tickets_organization_fields_idx ON helpdesk.tickets USING gin (organization_id, fields jsonb_path_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.tickets_organization_fields_idx`);
    await db.query(`ALTER TABLE helpdesk.tickets DROP COLUMN fields`);
    await db.query(`DROP TABLE helpdesk.ticket_fields`);
  }
}
