import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Macros (named ticket actions applied in one click) and canned responses (reply snippets), DESIGN
 * section 14. Both belong to an organization and optionally to a team, whose members then see them;
 * a deleted team's macros stay, visible to the whole organization (an admin's work is not lost).
 */
export class MacrosAndCannedResponses1766800000000 implements MigrationInterface {
  name = 'MacrosAndCannedResponses1766800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.macros (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        team_id uuid REFERENCES helpdesk.teams (id) ON DELETE SET NULL,
        name text NOT NULL,
        actions jsonb NOT NULL,
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX macros_organization_name_key ON helpdesk.macros (organization_id, lower(name))`);
    await db.query(`CREATE INDEX macros_team_idx ON helpdesk.macros (team_id) WHERE team_id IS NOT NULL`);
    await db.query(`
      CREATE TABLE helpdesk.canned_responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        team_id uuid REFERENCES helpdesk.teams (id) ON DELETE SET NULL,
        name text NOT NULL,
        body text NOT NULL,
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX canned_responses_organization_name_key ON helpdesk.canned_responses (organization_id, lower(name))`);
    await db.query(`CREATE INDEX canned_responses_team_idx ON helpdesk.canned_responses (team_id) WHERE team_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE helpdesk.canned_responses`);
    await db.query(`DROP TABLE helpdesk.macros`);
  }
}
