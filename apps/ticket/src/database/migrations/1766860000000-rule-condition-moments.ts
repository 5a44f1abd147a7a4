import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The moments rule conditions measure "hours since" from (DESIGN section 14), each indexed per
 * organization so an automation pass reads only the tickets past its threshold:
 * - pending_since: when the ticket last became pending, null otherwise. Kept by a row trigger
 *   because every path that changes status (updates, macros, bulk, rules, replies) must keep it
 *   right, and a missed path would make an automation act at the wrong time.
 * - last_agent_reply_at: the last public staff reply, written by the comments service beside the
 *   SLA's first-response bookkeeping; indexed as COALESCE(last_agent_reply_at, created_at), the
 *   expression the compiler uses ("no agent reply for 2 hours" counts an unanswered ticket from creation).
 * - resolved_at (solved) and created_at/updated_at already exist; resolved_at gains its index.
 */
export class RuleConditionMoments1766860000000 implements MigrationInterface {
  name = 'RuleConditionMoments1766860000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.tickets ADD COLUMN pending_since timestamptz, ADD COLUMN last_agent_reply_at timestamptz`);
    await db.query(`
      CREATE FUNCTION helpdesk.tickets_track_pending_since() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status <> 'pending' THEN
          NEW.pending_since := NULL;
        ELSIF TG_OP = 'INSERT' THEN
          NEW.pending_since := COALESCE(NEW.pending_since, now());
        ELSIF OLD.status IS DISTINCT FROM 'pending' OR NEW.pending_since IS NULL THEN
          NEW.pending_since := now();
        END IF;
        RETURN NEW;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER tickets_track_pending_since BEFORE INSERT OR UPDATE OF status, pending_since ON helpdesk.tickets
      FOR EACH ROW EXECUTE FUNCTION helpdesk.tickets_track_pending_since()`);
    await db.query(`UPDATE helpdesk.tickets SET pending_since = COALESCE(sla_paused_at, updated_at) WHERE status = 'pending'`);
    await db.query(`
      UPDATE helpdesk.tickets t SET last_agent_reply_at = replies.last_at
      FROM (
        SELECT c.ticket_id, max(c.created_at) AS last_at
        FROM helpdesk.comments c JOIN helpdesk.users u ON u.id = c.author_id
        WHERE NOT c.internal AND u.role <> 'customer'
        GROUP BY c.ticket_id
      ) replies
      WHERE replies.ticket_id = t.id`);
    await db.query(`CREATE INDEX tickets_pending_since_idx ON helpdesk.tickets (organization_id, pending_since) WHERE pending_since IS NOT NULL`);
    await db.query(`CREATE INDEX tickets_resolved_at_idx ON helpdesk.tickets (organization_id, resolved_at) WHERE resolved_at IS NOT NULL`);
    await db.query(`CREATE INDEX tickets_last_agent_reply_idx ON helpdesk.tickets (organization_id, (COALESCE(last_agent_reply_at, created_at)))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.tickets_last_agent_reply_idx`);
    await db.query(`DROP INDEX helpdesk.tickets_resolved_at_idx`);
    await db.query(`DROP INDEX helpdesk.tickets_pending_since_idx`);
    await db.query(`DROP TRIGGER tickets_track_pending_since ON helpdesk.tickets`);
    await db.query(`DROP FUNCTION helpdesk.tickets_track_pending_since()`);
    await db.query(`ALTER TABLE helpdesk.tickets DROP COLUMN pending_since, DROP COLUMN last_agent_reply_at`);
  }
}
