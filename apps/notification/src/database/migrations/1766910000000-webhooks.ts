import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (DESIGN section 16): subscriptions per organization, and one delivery row per event and
 * subscription. Workers claim due deliveries with FOR UPDATE SKIP LOCKED through the partial index
 * of open deliveries, so a claim never scans delivered history.
 */
export class Webhooks1766910000000 implements MigrationInterface {
  name = 'Webhooks1766910000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notification.webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        secret_encrypted text NOT NULL,
        description text,
        ordered_per_ticket boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        disabled_at timestamptz,
        disabled_reason text,
        failing_since timestamptz,
        last_delivery_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await db.query(`CREATE INDEX webhooks_organization_idx ON notification.webhooks (organization_id, created_at, id)`);
    await db.query(`
      CREATE TABLE notification.webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Claim and ordering order: the order rows were written in, which is event order per ticket.
        seq bigserial NOT NULL,
        webhook_id uuid NOT NULL REFERENCES notification.webhooks (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        ticket_id uuid,
        body text NOT NULL,
        -- Held back behind earlier open deliveries of the same ticket and webhook.
        ordered boolean NOT NULL DEFAULT false,
        -- Asked for by an admin (redeliver, test): sent even while the webhook is disabled.
        manual boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_attempt_at timestamptz,
        latency_ms integer,
        response_status integer,
        response_excerpt text,
        error text,
        redelivery_of uuid,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // One delivery per event and webhook, whichever replica handles a redelivered event.
    await db.query(`CREATE UNIQUE INDEX webhook_deliveries_event_key ON notification.webhook_deliveries (webhook_id, event_id) WHERE redelivery_of IS NULL`);
    await db.query(`CREATE INDEX webhook_deliveries_due_idx ON notification.webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'failed')`);
    await db.query(`CREATE INDEX webhook_deliveries_open_ticket_idx ON notification.webhook_deliveries (webhook_id, ticket_id, seq) WHERE status IN ('pending', 'failed') AND ordered`);
    await db.query(`CREATE INDEX webhook_deliveries_log_idx ON notification.webhook_deliveries (webhook_id, created_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notification.webhook_deliveries`);
    await db.query(`DROP TABLE notification.webhooks`);
  }
}
