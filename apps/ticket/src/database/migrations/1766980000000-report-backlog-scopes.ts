import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backlog snapshots per team and assignee (docs/reports.md "Backlog"): a snapshot counts open tickets
 * by status, priority, team and assignee as they were at its midnight, so a team's or an agent's
 * backlog reads the snapshots as the organization's does. The history rows that change any of the four
 * are read by time, hence the index; the snapshots counted before are dropped and counted again by the
 * service within minutes (reports replay the history meanwhile).
 */
export class ReportBacklogScopes1766980000000 implements MigrationInterface {
  name = 'ReportBacklogScopes1766980000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX ticket_events_state_changes_idx ON helpdesk.ticket_events (organization_id, created_at)
       WHERE changes ? 'status' OR changes ? 'priority' OR changes ? 'teamId' OR changes ? 'assigneeId'`,
    );
    await db.query(`DROP INDEX helpdesk.ticket_events_status_changes_idx`);
    await db.query(`DELETE FROM helpdesk.report_backlog_snapshots`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX ticket_events_status_changes_idx ON helpdesk.ticket_events (organization_id, created_at) WHERE changes ? 'status' OR changes ? 'priority'`);
    await db.query(`DROP INDEX helpdesk.ticket_events_state_changes_idx`);
    // The older service reads the status and priority of these keys and sums over the rest: they stay.
  }
}
