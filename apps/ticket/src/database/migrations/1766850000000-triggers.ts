import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Triggers (DESIGN section 14): an organization's ordered rules run on ticket events, and the record
 * of each firing, whose key (trigger, event) makes a trigger act at most once per event however
 * often the event is delivered or however many replicas receive it.
 */
export class Triggers1766850000000 implements MigrationInterface {
  name = 'Triggers1766850000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.triggers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        event text NOT NULL CHECK (event IN ('ticket.created', 'ticket.updated', 'comment.customer', 'comment.agent', 'ticket.sla.warning', 'ticket.sla.breached')),
        conditions_all jsonb NOT NULL DEFAULT '[]',
        conditions_any jsonb NOT NULL DEFAULT '[]',
        actions jsonb NOT NULL,
        position integer NOT NULL DEFAULT 0,
        active boolean NOT NULL DEFAULT true,
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX triggers_organization_name_key ON helpdesk.triggers (organization_id, lower(name))`);
    // What every event asks: the organization's active triggers for that event, in order.
    await db.query(`CREATE INDEX triggers_by_event_idx ON helpdesk.triggers (organization_id, event, position) WHERE active`);
    await db.query(`
      CREATE TABLE helpdesk.trigger_firings (
        trigger_id uuid NOT NULL REFERENCES helpdesk.triggers (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        ticket_id uuid NOT NULL REFERENCES helpdesk.tickets (id) ON DELETE CASCADE,
        succeeded boolean NOT NULL,
        fired_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (trigger_id, event_id)
      )`);
    // Old firings can be pruned by age once the events they answer have left the stream.
    await db.query(`CREATE INDEX trigger_firings_fired_at_idx ON helpdesk.trigger_firings (fired_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE helpdesk.trigger_firings`);
    await db.query(`DROP TABLE helpdesk.triggers`);
  }
}
