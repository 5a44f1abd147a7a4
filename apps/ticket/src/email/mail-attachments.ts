import { sanitizeFilename } from '@helpdesk/common';
import type { EmailAttachmentDto } from '@helpdesk/contracts';
import type { EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';

/** Where the attachments of one mail belong: the ticket it opened, or the comment it added, on behalf of its sender. */
export interface MailAttachmentTarget {
  orgId: string;
  ticketId: string;
  commentId: string | null;
  uploadedBy: string;
}

/**
 * Records the screened attachments of a mail, whose bytes the notification service already stored.
 * Their ids come with them, so the same mail delivered again records nothing twice. Like any upload
 * they count towards the organization's quota; the mail itself is never refused for them.
 */
export async function recordMailAttachments(manager: EntityManager, target: MailAttachmentTarget, attachments: EmailAttachmentDto[] | undefined): Promise<void> {
  for (const attachment of attachments ?? []) {
    await manager.query(
      `INSERT INTO ${TICKET_SCHEMA}.attachments (id, organization_id, ticket_id, comment_id, filename, content_type, size, sha256, object_key, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
      [
        attachment.id,
        target.orgId,
        target.ticketId,
        target.commentId,
        sanitizeFilename(attachment.filename),
        attachment.contentType.toLowerCase(),
        attachment.size,
        attachment.sha256.toLowerCase(),
        attachment.objectKey,
        target.uploadedBy,
      ],
    );
  }
}
