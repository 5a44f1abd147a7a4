import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a user invited by mail was first invited, until they accept (set a password): the admin
 * console shows it and offers to resend the invitation. Null for everyone else.
 */
export class UserInvitationPending1765510000000 implements MigrationInterface {
  name = 'UserInvitationPending1765510000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.users ADD COLUMN invitation_pending_since timestamptz`);
    // Existing invitees: accounts without a password that were invited (staff have no other way to lack one;
    // customers created from an email are invitees only if an invitation was announced or a link issued).
    await db.query(`
      UPDATE helpdesk.users account
      SET invitation_pending_since = COALESCE(
        (SELECT min(outbox.created_at) FROM helpdesk.outbox outbox WHERE outbox.type = 'user.invited' AND outbox.aggregate_id = account.id),
        account.created_at)
      WHERE account.password_hash IS NULL
        AND (account.role <> 'customer'
          OR EXISTS (SELECT 1 FROM helpdesk.outbox outbox WHERE outbox.type = 'user.invited' AND outbox.aggregate_id = account.id)
          OR EXISTS (SELECT 1 FROM helpdesk.user_tokens token WHERE token.user_id = account.id AND token.purpose = 'invitation'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE helpdesk.users DROP COLUMN invitation_pending_since`);
  }
}
