import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery log: one row per mail the service decided to send. Its unique key
 * (event_id, recipient, template) is what makes a redelivered event or a restarted worker harmless;
 * the rendered message is kept so a retry or a dead-letter replay sends exactly the mail first planned.
 */
export class CreateNotificationSchema1764500000000 implements MigrationInterface {
  name = 'CreateNotificationSchema1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notification.deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        organization_id uuid NOT NULL,
        ticket_id uuid,
        recipient text NOT NULL,
        template text NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        message_id text NOT NULL,
        message jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT deliveries_idempotency_key UNIQUE (event_id, recipient, template)
      )`);
    // Dead-letter replay and the operators' "what is dead" query.
    await db.query(`CREATE INDEX deliveries_dead_idx ON notification.deliveries (created_at) WHERE status = 'dead'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notification.deliveries`);
  }
}
