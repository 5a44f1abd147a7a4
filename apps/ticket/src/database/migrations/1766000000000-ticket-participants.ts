import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The people Cc'd on a ticket's mails (DESIGN section 13): customers of the organization who may
 * answer the ticket by mail and receive its public replies, without being its requester.
 */
export class TicketParticipants1766000000000 implements MigrationInterface {
  name = 'TicketParticipants1766000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.ticket_participants (
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ticket_id, user_id)
      )`);
    // A user's removal cascades through this index rather than a scan.
    await db.query(`CREATE INDEX ticket_participants_user_idx ON helpdesk.ticket_participants (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE helpdesk.ticket_participants`);
  }
}
