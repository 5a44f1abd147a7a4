import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports (DESIGN section 15) read history rows that change a ticket's status or priority by time
 * (reopened, backlog), and first responses by time. Satisfaction ratings live on the ticket
 * (migration 1766925000000).
 */
export class ReportIndexes1766920000000 implements MigrationInterface {
  name = 'ReportIndexes1766920000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX ticket_events_status_changes_idx ON helpdesk.ticket_events (organization_id, created_at) WHERE changes ? 'status' OR changes ? 'priority'`);
    await db.query(`CREATE INDEX tickets_first_responded_idx ON helpdesk.tickets (organization_id, first_responded_at) WHERE first_responded_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.tickets_first_responded_idx`);
    await db.query(`DROP INDEX helpdesk.ticket_events_status_changes_idx`);
  }
}
