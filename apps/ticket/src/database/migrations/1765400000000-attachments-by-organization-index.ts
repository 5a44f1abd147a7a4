import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The bytes an organization's attachments hold, summed for its quota on every upload, from the index alone. */
export class AttachmentsByOrganizationIndex1765400000000 implements MigrationInterface {
  name = 'AttachmentsByOrganizationIndex1765400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX attachments_organization_size_idx ON helpdesk.attachments (organization_id) INCLUDE (size)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX helpdesk.attachments_organization_size_idx`);
  }
}
