import type { MigrationInterface, QueryRunner } from 'typeorm';

const ROLLUP_INPUTS = `created_at, first_responded_at, resolved_at, sla_policy_id, sla_paused_minutes, requester_id, assignee_id, team_id, status, sla_paused_at,
  first_response_due_at, first_response_breached_at, next_response_due_at, next_response_breached_at, resolution_due_at, resolution_breached_at`;

/**
 * Daily report rollups (docs/reports.md "How the figures are kept"): for each organization and UTC day,
 * the figures of the tickets created, first answered or solved that day, per (assignee, team) cell,
 * with their minutes packed as 32-bit tenths, so a year's report reads 365 days of cells instead of
 * a million tickets. A rollup day is counted again whenever a ticket it holds changes; until then the
 * report reads that day from the tickets. The rule that keeps them exact: a ticket whose facts are
 * not stale is held, as it is now, by every rollup day it touches; a stale one records in
 * `report_rolled_days` the days that hold it as it was, and counting its facts again counts those days again.
 */
export class ReportRollups1766960000000 implements MigrationInterface {
  name = 'ReportRollups1766960000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.tickets ADD COLUMN report_rolled_days date[]`);
    await db.query(`
      CREATE FUNCTION helpdesk.report_days(created_at timestamptz, first_responded_at timestamptz, resolved_at timestamptz) RETURNS date[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_remove(ARRAY[(created_at AT TIME ZONE 'UTC')::date, (first_responded_at AT TIME ZONE 'UTC')::date, (resolved_at AT TIME ZONE 'UTC')::date], NULL)
      $$`);
    await db.query(`
      CREATE TABLE helpdesk.report_rollup_days (
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        day date NOT NULL,
        calendar bigint NOT NULL,
        counted_at timestamptz NOT NULL,
        PRIMARY KEY (organization_id, day)
      )`);
    // Tenths are big-endian int4s, due times big-endian int8 microseconds since 1970: concatenated across days as they are.
    await db.query(`
      CREATE TABLE helpdesk.report_rollup_cells (
        organization_id uuid NOT NULL,
        day date NOT NULL,
        assignee_id uuid,
        team_id uuid,
        created integer NOT NULL,
        solved integer NOT NULL,
        first_response_tenths bytea,
        resolution_tenths bytea,
        first_response_sla_met integer NOT NULL,
        first_response_sla_breached integer NOT NULL,
        next_response_sla_met integer NOT NULL,
        next_response_sla_breached integer NOT NULL,
        resolution_sla_met integer NOT NULL,
        resolution_sla_breached integer NOT NULL,
        first_response_due_ats bytea,
        next_response_due_ats bytea,
        resolution_due_ats bytea,
        FOREIGN KEY (organization_id, day) REFERENCES helpdesk.report_rollup_days (organization_id, day) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX report_rollup_cells_day_idx ON helpdesk.report_rollup_cells (organization_id, day)`);

    // Replaces the facts trigger of 1766950000000: a ticket that only touches today (no rollup holds
    // today) keeps the old rule, so opening and working today's tickets costs what it did; any other
    // change of a rollup input marks the facts stale and records the days that hold the ticket as it was.
    // A new ticket of an earlier day (an import, COPY) may belong in a rollup already counted: the
    // insert trigger leaves it stale (the column's default).
    await db.query(`
      CREATE OR REPLACE FUNCTION helpdesk.tickets_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        today date := (now() AT TIME ZONE 'UTC')::date;
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF (OLD.created_at, OLD.first_responded_at, OLD.resolved_at, OLD.sla_policy_id, OLD.sla_paused_minutes, OLD.requester_id, OLD.assignee_id, OLD.team_id, OLD.status, OLD.sla_paused_at,
              OLD.first_response_due_at, OLD.first_response_breached_at, OLD.next_response_due_at, OLD.next_response_breached_at, OLD.resolution_due_at, OLD.resolution_breached_at)
             IS NOT DISTINCT FROM
             (NEW.created_at, NEW.first_responded_at, NEW.resolved_at, NEW.sla_policy_id, NEW.sla_paused_minutes, NEW.requester_id, NEW.assignee_id, NEW.team_id, NEW.status, NEW.sla_paused_at,
              NEW.first_response_due_at, NEW.first_response_breached_at, NEW.next_response_due_at, NEW.next_response_breached_at, NEW.resolution_due_at, NEW.resolution_breached_at) THEN
            RETURN NEW;
          END IF;
          IF NOT (today <= ALL(helpdesk.report_days(OLD.created_at, OLD.first_responded_at, OLD.resolved_at)) AND today <= ALL(helpdesk.report_days(NEW.created_at, NEW.first_responded_at, NEW.resolved_at))) THEN
            IF OLD.report_facts_calendar IS NOT NULL THEN
              NEW.report_rolled_days := helpdesk.report_days(OLD.created_at, OLD.first_responded_at, OLD.resolved_at);
            END IF;
            NEW.report_facts_calendar := NULL;
            RETURN NEW;
          END IF;
          -- Only today's: no rollup holds the ticket, and only the facts' own inputs matter.
          IF (OLD.created_at, OLD.first_responded_at, OLD.resolved_at, OLD.sla_policy_id, OLD.sla_paused_minutes, OLD.requester_id)
             IS NOT DISTINCT FROM (NEW.created_at, NEW.first_responded_at, NEW.resolved_at, NEW.sla_policy_id, NEW.sla_paused_minutes, NEW.requester_id) THEN
            RETURN NEW;
          END IF;
        END IF;
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
    await db.query(`DROP TRIGGER tickets_report_facts_stale ON helpdesk.tickets`);
    await db.query(`CREATE TRIGGER tickets_report_facts_stale BEFORE UPDATE OF ${ROLLUP_INPUTS} ON helpdesk.tickets FOR EACH ROW EXECUTE FUNCTION helpdesk.tickets_report_facts_stale()`);
    await db.query(`DROP TRIGGER tickets_report_facts_new ON helpdesk.tickets`);
    await db.query(`
      CREATE TRIGGER tickets_report_facts_new BEFORE INSERT ON helpdesk.tickets FOR EACH ROW
      WHEN (NEW.first_responded_at IS NULL AND NEW.resolved_at IS NULL AND NEW.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
      EXECUTE FUNCTION helpdesk.tickets_report_facts_stale()`);
    await db.query(`
      CREATE OR REPLACE FUNCTION helpdesk.comments_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE helpdesk.tickets SET report_facts_calendar = NULL, report_rolled_days = helpdesk.report_days(created_at, first_responded_at, resolved_at)
        WHERE id = NEW.ticket_id AND report_facts_calendar IS NOT NULL AND NOT report_next_response_window AND requester_id = NEW.author_id AND first_responded_at IS NOT NULL;
        RETURN NULL;
      END $$`);
    // A deleted ticket leaves no stale row behind to say which days held it: those days are dropped and counted anew.
    await db.query(`
      CREATE FUNCTION helpdesk.tickets_report_rollups_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM helpdesk.report_rollup_days
        WHERE organization_id = OLD.organization_id AND day = ANY(helpdesk.report_days(OLD.created_at, OLD.first_responded_at, OLD.resolved_at) || COALESCE(OLD.report_rolled_days, '{}'));
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER tickets_report_rollups_deleted AFTER DELETE ON helpdesk.tickets FOR EACH ROW EXECUTE FUNCTION helpdesk.tickets_report_rollups_deleted()`);
    // A policy's business-hours switch or next-response target changes the figures of all its tickets at once.
    await db.query(`
      CREATE FUNCTION helpdesk.sla_policies_report_rollups_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM helpdesk.report_rollup_days WHERE organization_id = NEW.organization_id;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER sla_policies_report_rollups_changed AFTER UPDATE OF business_hours_only, next_response_minutes ON helpdesk.sla_policies FOR EACH ROW
      WHEN (OLD.business_hours_only IS DISTINCT FROM NEW.business_hours_only OR (OLD.next_response_minutes IS NULL) <> (NEW.next_response_minutes IS NULL))
      EXECUTE FUNCTION helpdesk.sla_policies_report_rollups_changed()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER sla_policies_report_rollups_changed ON helpdesk.sla_policies`);
    await db.query(`DROP FUNCTION helpdesk.sla_policies_report_rollups_changed()`);
    await db.query(`DROP TRIGGER tickets_report_rollups_deleted ON helpdesk.tickets`);
    await db.query(`DROP FUNCTION helpdesk.tickets_report_rollups_deleted()`);
    await db.query(`
      CREATE OR REPLACE FUNCTION helpdesk.comments_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE helpdesk.tickets SET report_facts_calendar = NULL
        WHERE id = NEW.ticket_id AND report_facts_calendar IS NOT NULL AND NOT report_next_response_window AND requester_id = NEW.author_id AND first_responded_at IS NOT NULL;
        RETURN NULL;
      END $$`);
    await db.query(`DROP TRIGGER tickets_report_facts_new ON helpdesk.tickets`);
    await db.query(`DROP TRIGGER tickets_report_facts_stale ON helpdesk.tickets`);
    await db.query(`
      CREATE OR REPLACE FUNCTION helpdesk.tickets_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await db.query(`DROP TABLE helpdesk.report_rollup_cells`);
    await db.query(`DROP TABLE helpdesk.report_rollup_days`);
    await db.query(`DROP FUNCTION helpdesk.report_days(timestamptz, timestamptz, timestamptz)`);
    await db.query(`ALTER TABLE helpdesk.tickets DROP COLUMN report_rolled_days`);
  }
}
