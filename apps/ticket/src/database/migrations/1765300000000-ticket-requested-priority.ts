import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The priority a customer asked for when opening a ticket (DESIGN section 17): kept and shown to staff,
 * while the ticket's own priority, which drives SLA targets, stays staff's. Null when staff opened the
 * ticket or the customer asked for nothing. A nullable column without default rewrites no rows.
 */
export class TicketRequestedPriority1765300000000 implements MigrationInterface {
  name = 'TicketRequestedPriority1765300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.tickets ADD COLUMN requested_priority text CHECK (requested_priority IN ('low', 'normal', 'high', 'urgent'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.tickets DROP COLUMN requested_priority`);
  }
}
