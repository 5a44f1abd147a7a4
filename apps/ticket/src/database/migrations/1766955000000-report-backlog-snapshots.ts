import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backlog snapshots (docs/reports.md "How the figures are kept"): an organization's open tickets by
 * status and priority at each of its local midnights, kept by the ticket service's ReportBacklog so a
 * year's backlog reads 52 rows instead of replaying every ticket's history. A snapshot is a fact about
 * an instant, and history is append-only, so it stays true, except when rows are written with a past
 * time (an import, COPY, a ticket's creation time changed, a ticket deleted): then the triggers below
 * drop the organization's snapshots after that time, under an advisory lock the service takes
 * exclusively while it counts and writes them (so neither misses the other), and it counts them again.
 */
export class ReportBacklogSnapshots1766955000000 implements MigrationInterface {
  name = 'ReportBacklogSnapshots1766955000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.report_backlog_snapshots (
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        counts jsonb NOT NULL,
        PRIMARY KEY (organization_id, at)
      )`);
    await db.query(`
      CREATE FUNCTION helpdesk.drop_backlog_snapshots_after(organization uuid, since timestamptz) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        -- Shared: writers do not wait for each other, only for the service writing snapshots (exclusive), and it for them.
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('report-backlog:' || organization::text, 0));
        DELETE FROM helpdesk.report_backlog_snapshots WHERE organization_id = organization AND at > since;
      END $$`);
    // Only rows stamped over a minute before their insert (snapshots are written for midnights 10 minutes old,
    // so nothing younger can precede one): the WHEN test costs a ticket written now nothing. Within one
    // transaction (a COPY), a row no older than one already handled needs no second pass.
    await db.query(`
      CREATE FUNCTION helpdesk.backdated_row_drop_backlog_snapshots() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        handled_name text := 'helpdesk.backlog_dropped_' || replace(NEW.organization_id::text, '-', '');
        handled text := current_setting(handled_name, true);
      BEGIN
        IF handled IS NULL OR handled = '' OR NEW.created_at < handled::timestamptz THEN
          PERFORM helpdesk.drop_backlog_snapshots_after(NEW.organization_id, NEW.created_at);
          PERFORM set_config(handled_name, NEW.created_at::text, true);
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['tickets', 'ticket_events']) {
      await db.query(`
        CREATE TRIGGER ${table}_backdated_drop_backlog_snapshots AFTER INSERT ON helpdesk.${table}
        FOR EACH ROW WHEN (NEW.created_at < now() - interval '1 minute') EXECUTE FUNCTION helpdesk.backdated_row_drop_backlog_snapshots()`);
    }
    await db.query(`
      CREATE FUNCTION helpdesk.changed_ticket_drop_backlog_snapshots() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM helpdesk.drop_backlog_snapshots_after(OLD.organization_id, OLD.created_at);
          RETURN OLD;
        END IF;
        PERFORM helpdesk.drop_backlog_snapshots_after(NEW.organization_id, least(OLD.created_at, NEW.created_at));
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER tickets_created_at_drop_backlog_snapshots AFTER UPDATE OF created_at ON helpdesk.tickets
      FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION helpdesk.changed_ticket_drop_backlog_snapshots()`);
    await db.query(`
      CREATE TRIGGER tickets_deleted_drop_backlog_snapshots AFTER DELETE ON helpdesk.tickets
      FOR EACH ROW EXECUTE FUNCTION helpdesk.changed_ticket_drop_backlog_snapshots()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER tickets_deleted_drop_backlog_snapshots ON helpdesk.tickets`);
    await db.query(`DROP TRIGGER tickets_created_at_drop_backlog_snapshots ON helpdesk.tickets`);
    await db.query(`DROP FUNCTION helpdesk.changed_ticket_drop_backlog_snapshots()`);
    for (const table of ['tickets', 'ticket_events']) await db.query(`DROP TRIGGER ${table}_backdated_drop_backlog_snapshots ON helpdesk.${table}`);
    await db.query(`DROP FUNCTION helpdesk.backdated_row_drop_backlog_snapshots()`);
    await db.query(`DROP FUNCTION helpdesk.drop_backlog_snapshots_after(uuid, timestamptz)`);
    await db.query(`DROP TABLE helpdesk.report_backlog_snapshots`);
  }
}
