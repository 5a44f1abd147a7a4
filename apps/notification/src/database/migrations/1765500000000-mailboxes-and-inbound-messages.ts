import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbound email channel (DESIGN section 13). A mailbox belongs to one organization and its
 * address to no other (unique, case-insensitively); its IMAP password is stored encrypted (key id in
 * the ciphertext) and its inbound token only as a SHA-256 hash. An inbound message is recorded once
 * per (mailbox, Message-ID): that key is what makes a message fetched or posted twice one ticket change.
 */
export class MailboxesAndInboundMessages1765500000000 implements MigrationInterface {
  name = 'MailboxesAndInboundMessages1765500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notification.mailboxes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        address text NOT NULL,
        imap_host text,
        imap_port integer,
        imap_tls boolean,
        imap_user text,
        imap_password_encrypted text,
        imap_folder text,
        inbound_token_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT mailboxes_imap_complete CHECK (
          (imap_host IS NULL AND imap_port IS NULL AND imap_tls IS NULL AND imap_user IS NULL AND imap_password_encrypted IS NULL AND imap_folder IS NULL)
          OR (imap_host IS NOT NULL AND imap_port IS NOT NULL AND imap_tls IS NOT NULL AND imap_user IS NOT NULL AND imap_password_encrypted IS NOT NULL AND imap_folder IS NOT NULL))
      )`);
    // One organization per address, whatever the case: mail to it must land in exactly one desk.
    await db.query(`CREATE UNIQUE INDEX mailboxes_address_key ON notification.mailboxes (lower(address))`);
    // The admin list, in creation order, per organization.
    await db.query(`CREATE INDEX mailboxes_organization_idx ON notification.mailboxes (organization_id, created_at, id)`);
    await db.query(`
      CREATE TABLE notification.inbound_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        mailbox_id uuid NOT NULL REFERENCES notification.mailboxes (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL,
        message_id text NOT NULL,
        sender text,
        object_key text NOT NULL,
        outcome text CHECK (outcome IN ('ticket_created', 'comment_added')),
        ticket_id uuid,
        comment_id uuid,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT inbound_messages_once UNIQUE (mailbox_id, message_id)
      )`);
    // Threading: a reply's In-Reply-To/References looked up among the organization's received messages...
    await db.query(`CREATE INDEX inbound_messages_thread_idx ON notification.inbound_messages (organization_id, message_id) WHERE ticket_id IS NOT NULL`);
    // ...and among the mails it sent.
    await db.query(`CREATE INDEX deliveries_message_id_idx ON notification.deliveries (message_id) WHERE ticket_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notification.deliveries_message_id_idx`);
    await db.query(`DROP TABLE notification.inbound_messages`);
    await db.query(`DROP TABLE notification.mailboxes`);
  }
}
