import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens (DESIGN section 16). The hash is unique and indexed: every API request carrying a
 * token looks it up by hash. Listing reads an organization's live tokens, hence the second index.
 * A ticket's history names the token a change was made with (`api_token`, `{ id, name }`).
 */
export class ApiTokens1766900000000 implements MigrationInterface {
  name = 'ApiTokens1766900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE helpdesk.api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES helpdesk.organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        scopes text[] NOT NULL,
        token_hash text NOT NULL,
        prefix text NOT NULL,
        created_by uuid REFERENCES helpdesk.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
      )`);
    await db.query(`CREATE INDEX api_tokens_organization_live_idx ON helpdesk.api_tokens (organization_id, created_at) WHERE revoked_at IS NULL`);
    await db.query(`ALTER TABLE helpdesk.ticket_events ADD COLUMN api_token jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.ticket_events DROP COLUMN api_token`);
    await db.query(`DROP TABLE helpdesk.api_tokens`);
  }
}
