import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A requester's first reply after the first response opens the next-response window (a report fact).
 * The comment trigger marked the ticket stale only when its facts were current: on a ticket already
 * stale it left the row alone, so a facts sweep that had read the ticket just before the reply
 * committed still found the row unchanged (its xmin) and wrote the window closed. Now the reply
 * touches the row either way, which makes such a sweep skip it; the days a stale ticket already
 * records (`report_rolled_days`) are kept.
 */
export class ReportFactsReplyRace1766990000000 implements MigrationInterface {
  name = 'ReportFactsReplyRace1766990000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION helpdesk.comments_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE helpdesk.tickets
        SET report_facts_calendar = NULL,
            report_rolled_days = CASE WHEN report_facts_calendar IS NULL THEN report_rolled_days ELSE helpdesk.report_days(created_at, first_responded_at, resolved_at) END
        WHERE id = NEW.ticket_id AND NOT report_next_response_window AND requester_id = NEW.author_id AND first_responded_at IS NOT NULL;
        RETURN NULL;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION helpdesk.comments_report_facts_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE helpdesk.tickets SET report_facts_calendar = NULL, report_rolled_days = helpdesk.report_days(created_at, first_responded_at, resolved_at)
        WHERE id = NEW.ticket_id AND report_facts_calendar IS NOT NULL AND NOT report_next_response_window AND requester_id = NEW.author_id AND first_responded_at IS NOT NULL;
        RETURN NULL;
      END $$`);
  }
}
