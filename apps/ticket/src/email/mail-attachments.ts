import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { sanitizeFilename } from '@helpdesk/common';
import type { EmailAttachmentDto } from '@helpdesk/contracts';
import type { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { TicketConfig } from '../ticket.config.js';

const MB = 1024 * 1024;
/** The ticket service's limit on a description or comment body. */
const BODY_MAX = 65_536;

/** Where the attachments of one mail belong: the ticket it opened, or the comment it added, on behalf of its sender. */
export interface MailAttachmentTarget {
  orgId: string;
  ticketId: string;
  commentId: string | null;
  uploadedBy: string;
}

/** The attachments of a mail the organization's quota has room for, and those it has not. */
export interface QuotaSplit {
  kept: EmailAttachmentDto[];
  refused: EmailAttachmentDto[];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The screened attachments of a mail, whose bytes the notification service already stored: counted
 * against the organization's attachment quota (ORG_ATTACHMENT_QUOTA_MB) like uploads, and recorded
 * on the ticket or comment made from the mail. Their ids come with them, so the same mail delivered
 * again records nothing twice and counts what it recorded the first time as its own.
 */
@Injectable()
export class MailAttachments {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TicketConfig) private readonly config: TicketConfig,
  ) {}

  /**
   * Oldest first until the quota is full. A best-effort check before the ticket change (uploads of
   * the same moment may pass it together, by at most one mail's attachments): a mail is never
   * refused for its attachments, and the refused ones are named in its body.
   */
  async splitByQuota(orgId: string, attachments: EmailAttachmentDto[] | undefined): Promise<QuotaSplit> {
    if (!attachments?.length) return { kept: [], refused: [] };
    const ids = attachments.map((attachment) => attachment.id);
    // Recorded by an earlier delivery of the same mail: kept whatever the quota says now, as their bytes must stay.
    const recorded = new Set(((await this.dataSource.query(`SELECT id FROM ${TICKET_SCHEMA}.attachments WHERE id = ANY($1::uuid[])`, [ids])) as Array<{ id: string }>).map((row) => row.id));
    const [{ stored }] = (await this.dataSource.query(
      `SELECT COALESCE(SUM(size), 0)::bigint AS stored FROM ${TICKET_SCHEMA}.attachments WHERE organization_id = $1 AND NOT (id = ANY($2::uuid[]))`,
      [orgId, ids],
    )) as Array<{ stored: string }>;
    let total = Number(stored);
    const split: QuotaSplit = { kept: [], refused: [] };
    for (const attachment of attachments) {
      const fits = recorded.has(attachment.id) || total + attachment.size <= this.config.ORG_ATTACHMENT_QUOTA_MB * MB;
      if (fits) total += attachment.size;
      split[fits ? 'kept' : 'refused'].push(attachment);
    }
    return split;
  }

  /** The body with a line naming each attachment the quota had no room for (when the body has room for the lines). */
  withRefusals(body: string, refused: EmailAttachmentDto[]): string {
    const reason = `The organization's attachment quota of ${this.config.ORG_ATTACHMENT_QUOTA_MB} MB is used up`;
    const notes = refused.map((attachment) => `<p><em>Attachment not accepted: ${escapeHtml(sanitizeFilename(attachment.filename))} (${reason})</em></p>`).join('');
    return body.length + notes.length <= BODY_MAX ? body + notes : body;
  }

  async record(target: MailAttachmentTarget, attachments: EmailAttachmentDto[]): Promise<void> {
    for (const attachment of attachments) {
      await this.dataSource.query(
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
}
