import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The active staff of an organization by role (the admins told of every new ticket, and of SLA
 * breaches of unassigned tickets) without reading its customers: an organization may have hundreds
 * of thousands of customers and a dozen admins. Partial, so it holds the staff rows only.
 */
export class StaffByRoleIndex1764700000000 implements MigrationInterface {
  name = 'StaffByRoleIndex1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX users_organization_staff_idx ON helpdesk.users (organization_id, role, email) WHERE active AND role <> 'customer'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.users_organization_staff_idx`);
  }
}
