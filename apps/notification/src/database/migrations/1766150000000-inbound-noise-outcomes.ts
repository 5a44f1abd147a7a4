import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two outcomes of an inbound message that change no ticket (DESIGN section 13, loops and noise):
 * `bounce_recorded` (a delivery-status report, its failed recipients marked bouncing) and
 * `rate_limited` (a new ticket beyond the sender's hourly cap). The first index serves that cap: the
 * tickets one sender opened in an organization within the last hour; the second finds the mail a
 * bounce returns among every mail sent (the existing index covers ticket mails only).
 */
export class InboundNoiseOutcomes1766150000000 implements MigrationInterface {
  name = 'InboundNoiseOutcomes1766150000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification.inbound_messages DROP CONSTRAINT inbound_messages_outcome_check`);
    await db.query(`
      ALTER TABLE notification.inbound_messages ADD CONSTRAINT inbound_messages_outcome_check
        CHECK (outcome IN ('ticket_created', 'comment_added', 'bounce_recorded', 'rate_limited'))`);
    await db.query(`
      CREATE INDEX inbound_messages_sender_tickets_idx ON notification.inbound_messages (organization_id, lower(sender), processed_at)
        WHERE outcome = 'ticket_created'`);
    await db.query(`CREATE INDEX deliveries_returned_message_idx ON notification.deliveries (message_id, organization_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notification.deliveries_returned_message_idx`);
    await db.query(`DROP INDEX notification.inbound_messages_sender_tickets_idx`);
    await db.query(`DELETE FROM notification.inbound_messages WHERE outcome IN ('bounce_recorded', 'rate_limited')`);
    await db.query(`ALTER TABLE notification.inbound_messages DROP CONSTRAINT inbound_messages_outcome_check`);
    await db.query(`ALTER TABLE notification.inbound_messages ADD CONSTRAINT inbound_messages_outcome_check CHECK (outcome IN ('ticket_created', 'comment_added'))`);
  }
}
