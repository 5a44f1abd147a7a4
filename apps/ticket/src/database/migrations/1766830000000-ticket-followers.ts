import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The staff following a ticket (issue 18): they hear of its new comments and status changes by
 * mail without being its assignee. Gone with the ticket or the user.
 */
export class TicketFollowers1766830000000 implements MigrationInterface {
  name = 'TicketFollowers1766830000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.ticket_followers (
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ticket_id, user_id)
      )`);
    // A user's removal cascades through this index rather than a scan.
    await db.query(`CREATE INDEX ticket_followers_user_idx ON helpdesk.ticket_followers (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE helpdesk.ticket_followers`);
  }
}
