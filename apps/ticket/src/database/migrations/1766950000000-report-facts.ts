import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Report facts (docs/reports.md "How the figures are kept"): each ticket keeps its first response and
 * resolution minutes, in calendar and in business time (tenths of a minute), and whether the requester
 * wrote after the first response, so a report over a year aggregates columns instead of walking the
 * business calendar for every ticket. `report_facts_calendar` names the calendar the business minutes
 * were counted with; 0 means "no minutes, whatever the calendar"; NULL means "to be counted again". Triggers set it NULL whenever an input of the
 * facts changes, however the row is written (the service, a bulk UPDATE, COPY), and the ticket
 * service's ReportFacts counts stale rows again in the background and before a report reads them.
 */
export class ReportFacts1766950000000 implements MigrationInterface {
  name = 'ReportFacts1766950000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE helpdesk.tickets
        ADD COLUMN report_facts_calendar bigint,
        ADD COLUMN report_first_response_calendar_tenths integer,
        ADD COLUMN report_first_response_business_tenths integer,
        ADD COLUMN report_resolution_calendar_tenths integer,
        ADD COLUMN report_resolution_business_tenths integer,
        ADD COLUMN report_next_response_window boolean NOT NULL DEFAULT false`);
    await db.query(`CREATE INDEX tickets_report_facts_stale_idx ON helpdesk.tickets (organization_id) WHERE report_facts_calendar IS NULL`);
    // Reopenings are few among a range's status changes: the report counts them from this index alone.
    await db.query(`
      CREATE INDEX ticket_events_reopened_idx ON helpdesk.ticket_events (organization_id, created_at)
      WHERE changes->'status'->>'from' IN ('solved', 'closed') AND changes->'status'->>'to' NOT IN ('solved', 'closed')`);
    // A ticket neither answered nor solved has no minutes under any calendar: its facts are known at once
    // (calendar 0), so opening a ticket costs no second write; only answered or solved ones are counted.
    await db.query(`
      CREATE FUNCTION helpdesk.tickets_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.first_responded_at IS NULL AND NEW.resolved_at IS NULL THEN
          NEW.report_facts_calendar := 0;
          NEW.report_first_response_calendar_tenths := NULL;
          NEW.report_first_response_business_tenths := NULL;
          NEW.report_resolution_calendar_tenths := NULL;
          NEW.report_resolution_business_tenths := NULL;
          NEW.report_next_response_window := false;
        ELSE
          NEW.report_facts_calendar := NULL;
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER tickets_report_facts_new BEFORE INSERT ON helpdesk.tickets
      FOR EACH ROW WHEN (NEW.first_responded_at IS NULL AND NEW.resolved_at IS NULL) EXECUTE FUNCTION helpdesk.tickets_report_facts_stale()`);
    await db.query(`
      CREATE TRIGGER tickets_report_facts_stale BEFORE UPDATE OF created_at, first_responded_at, resolved_at, sla_policy_id, sla_paused_minutes, requester_id ON helpdesk.tickets
      FOR EACH ROW EXECUTE FUNCTION helpdesk.tickets_report_facts_stale()`);
    // A public comment can open the requester's next-response window; only the first such comment changes the fact.
    await db.query(`
      CREATE FUNCTION helpdesk.comments_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE helpdesk.tickets SET report_facts_calendar = NULL
        WHERE id = NEW.ticket_id AND report_facts_calendar IS NOT NULL AND NOT report_next_response_window AND requester_id = NEW.author_id AND first_responded_at IS NOT NULL;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER comments_report_facts_stale AFTER INSERT OR UPDATE OF ticket_id, author_id, internal ON helpdesk.comments
      FOR EACH ROW WHEN (NOT NEW.internal) EXECUTE FUNCTION helpdesk.comments_report_facts_stale()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER comments_report_facts_stale ON helpdesk.comments`);
    await db.query(`DROP FUNCTION helpdesk.comments_report_facts_stale()`);
    await db.query(`DROP TRIGGER tickets_report_facts_stale ON helpdesk.tickets`);
    await db.query(`DROP TRIGGER tickets_report_facts_new ON helpdesk.tickets`);
    await db.query(`DROP FUNCTION helpdesk.tickets_report_facts_stale()`);
    await db.query(`DROP INDEX helpdesk.ticket_events_reopened_idx`);
    await db.query(`DROP INDEX helpdesk.tickets_report_facts_stale_idx`);
    await db.query(`
      ALTER TABLE helpdesk.tickets
        DROP COLUMN report_facts_calendar,
        DROP COLUMN report_first_response_calendar_tenths,
        DROP COLUMN report_first_response_business_tenths,
        DROP COLUMN report_resolution_calendar_tenths,
        DROP COLUMN report_resolution_business_tenths,
        DROP COLUMN report_next_response_window`);
  }
}
