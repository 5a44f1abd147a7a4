import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Automations (DESIGN section 14) and their runs. A run row is written in the same transaction as
 * the automation's actions, keyed by (automation, ticket, state): the state is the moments the
 * automation's hoursSince conditions measure from (see ruleStateKeySql), so an automation acts on a
 * ticket once per matching state, even when two schedulers race.
 */
export class Automations1766861000000 implements MigrationInterface {
  name = 'Automations1766861000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.automations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        conditions jsonb NOT NULL,
        actions jsonb NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX automations_organization_name_key ON helpdesk.automations (organization_id, lower(name))`);
    await db.query(`CREATE INDEX automations_active_idx ON helpdesk.automations (organization_id) WHERE active`);
    await db.query(`
      CREATE TABLE helpdesk.automation_runs (
        automation_id uuid NOT NULL REFERENCES helpdesk.automations (id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        state_key text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (automation_id, ticket_id, state_key)
      )`);
    await db.query(`CREATE INDEX automation_runs_ticket_idx ON helpdesk.automation_runs (ticket_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE helpdesk.automation_runs`);
    await db.query(`DROP TABLE helpdesk.automations`);
  }
}
