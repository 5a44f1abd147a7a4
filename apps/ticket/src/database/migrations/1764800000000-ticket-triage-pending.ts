import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The AI triage a ticket is owed, kept beside the ticket rather than only as a job in Redis: set by
 * creation in the same statement, cleared by the batch that stores the triage (or that the ai-proxy
 * refused). The partial index holds only the pending tickets, oldest first, for the drains to read.
 * Adding a column with a constant default rewrites no rows.
 */
export class TicketTriagePending1764800000000 implements MigrationInterface {
  name = 'TicketTriagePending1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.tickets ADD COLUMN triage_pending boolean NOT NULL DEFAULT false`);
    await db.query(`CREATE INDEX tickets_triage_pending_idx ON helpdesk.tickets (id) WHERE triage_pending`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.tickets_triage_pending_idx`);
    await db.query(`ALTER TABLE helpdesk.tickets DROP COLUMN triage_pending`);
  }
}
