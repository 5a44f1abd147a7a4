import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assignment per team (issue 18, DESIGN section 14): the team's rule and its round-robin cursor, each
 * agent's capacity and hand-set availability, and the realtime presence that makes an agent online.
 */
export class TeamAssignment1766840000000 implements MigrationInterface {
  name = 'TeamAssignment1766840000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.teams ADD COLUMN assignment text NOT NULL DEFAULT 'manual' CHECK (assignment IN ('manual', 'round_robin', 'load_balanced'))`);
    // The member picked last: round robin continues after them. No foreign key, so removing the user never waits on the team row.
    await db.query(`ALTER TABLE helpdesk.teams ADD COLUMN last_assigned_user_id uuid`);
    await db.query(`ALTER TABLE helpdesk.users ADD COLUMN capacity integer CHECK (capacity IS NULL OR capacity >= 1)`);
    await db.query(`ALTER TABLE helpdesk.users ADD COLUMN availability text NOT NULL DEFAULT 'online' CHECK (availability IN ('online', 'away', 'offline'))`);
    // One row per realtime replica holding a socket of the user; a replica that dies stops refreshing and its rows lapse.
    await db.query(`
      CREATE TABLE helpdesk.staff_presence (
        user_id uuid NOT NULL REFERENCES helpdesk.users (id) ON DELETE CASCADE,
        replica_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, replica_id)
      )`);
    await db.query(`CREATE INDEX staff_presence_expires_idx ON helpdesk.staff_presence (expires_at)`);
    // The tickets waiting for someone of their team, oldest first: what every assignment pass reads.
    await db.query(`CREATE INDEX tickets_waiting_assignment_idx ON helpdesk.tickets (team_id, created_at, id) WHERE assignee_id IS NULL AND status NOT IN ('solved', 'closed')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.tickets_waiting_assignment_idx`);
    await db.query(`DROP TABLE helpdesk.staff_presence`);
    await db.query(`ALTER TABLE helpdesk.users DROP COLUMN availability, DROP COLUMN capacity`);
    await db.query(`ALTER TABLE helpdesk.teams DROP COLUMN last_assigned_user_id, DROP COLUMN assignment`);
  }
}
