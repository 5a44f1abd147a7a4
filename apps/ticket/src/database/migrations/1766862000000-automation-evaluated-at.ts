import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each automation remembers the instant of its last complete scheduler pass, after which the
 * scheduler looks only at tickets changed or past a threshold since (docs/workflow.md, Automations).
 * Null (every existing automation): the next pass looks at all tickets.
 */
export class AutomationEvaluatedAt1766862000000 implements MigrationInterface {
  name = 'AutomationEvaluatedAt1766862000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.automations ADD COLUMN evaluated_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.automations DROP COLUMN evaluated_at`);
  }
}
