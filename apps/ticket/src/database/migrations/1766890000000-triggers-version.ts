import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * organizations.triggers_version counts the writes to an organization's triggers, so every replica
 * may cache the triggers a ticket's creation evaluates and know, from the creation's first query,
 * when its copy is stale. Bumped by the database itself: no write path (the API, a migration, an
 * operator's SQL, an organization's deletion) can change triggers without it.
 */
export class TriggersVersion1766890000000 implements MigrationInterface {
  name = 'TriggersVersion1766890000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.organizations ADD COLUMN triggers_version bigint NOT NULL DEFAULT 0`);
    await db.query(`
      CREATE FUNCTION helpdesk.bump_triggers_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE helpdesk.organizations SET triggers_version = triggers_version + 1
         WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
        IF TG_OP = 'UPDATE' AND OLD.organization_id <> NEW.organization_id THEN
          UPDATE helpdesk.organizations SET triggers_version = triggers_version + 1 WHERE id = OLD.organization_id;
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER triggers_version_bump AFTER INSERT OR UPDATE OR DELETE ON helpdesk.triggers
        FOR EACH ROW EXECUTE FUNCTION helpdesk.bump_triggers_version()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER triggers_version_bump ON helpdesk.triggers`);
    await db.query(`DROP FUNCTION helpdesk.bump_triggers_version()`);
    await db.query(`ALTER TABLE helpdesk.organizations DROP COLUMN triggers_version`);
  }
}
