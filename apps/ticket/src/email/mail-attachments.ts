import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandError, sanitizeFilename } from '@helpdesk/common';
import type { AttachmentAddedData, AttachmentView, EmailAttachmentDto, Principal } from '@helpdesk/contracts';
import type { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { recordHistory } from '../history/ticket-history.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { TicketConfig } from '../ticket.config.js';

const MB = 1024 * 1024;
/** The ticket service's limit on a description or comment body. */
const BODY_MAX = 65_536;

/** Where the attachments of one mail belong: the ticket it opened, or the (public) comment it added, on behalf of its sender. */
export interface MailAttachmentTarget {
  principal: Principal;
  ticketId: string;
  commentId: string | null;
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
    @Inject(DomainEvents) private readonly events: DomainEvents,
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

  /**
   * Records them as uploads are recorded: with the ticket's history and an `attachment.added` event
   * each (so the console shows them live), in one transaction. One an earlier delivery recorded is skipped.
   */
  async record(target: MailAttachmentTarget, attachments: EmailAttachmentDto[]): Promise<void> {
    if (attachments.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const [ticket] = (await manager.query(`SELECT id, number, requester_id, assignee_id, team_id FROM ${TICKET_SCHEMA}.tickets WHERE id = $1 AND organization_id = $2`, [
        target.ticketId,
        target.principal.orgId,
      ])) as Array<{ id: string; number: number; requester_id: string; assignee_id: string | null; team_id: string | null }>;
      if (!ticket) throw new CommandError('NOT_FOUND', 'Ticket not found');
      for (const attachment of attachments) {
        const filename = sanitizeFilename(attachment.filename);
        const contentType = attachment.contentType.toLowerCase();
        const sha256 = attachment.sha256.toLowerCase();
        const inserted = (await manager.query(
          `INSERT INTO ${TICKET_SCHEMA}.attachments (id, organization_id, ticket_id, comment_id, filename, content_type, size, sha256, object_key, uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING created_at`,
          [attachment.id, target.principal.orgId, ticket.id, target.commentId, filename, contentType, attachment.size, sha256, attachment.objectKey, target.principal.userId],
        )) as Array<{ created_at: Date }>;
        if (inserted.length === 0) continue;
        const view: AttachmentView = {
          id: attachment.id,
          ticketId: ticket.id,
          commentId: target.commentId,
          filename,
          contentType,
          size: attachment.size,
          sha256,
          uploadedBy: target.principal.userId,
          createdAt: new Date(inserted[0]!.created_at).toISOString(),
        };
        await recordHistory(manager, {
          organizationId: target.principal.orgId,
          ticketId: ticket.id,
          actorId: target.principal.userId,
          action: 'attachment.added',
          changes: { attachment: { from: null, to: { id: view.id, filename, commentId: target.commentId, internal: false } } },
        });
        const data: AttachmentAddedData = {
          attachment: view,
          internal: false,
          ticket: { id: ticket.id, number: ticket.number, requesterId: ticket.requester_id, assigneeId: ticket.assignee_id, teamId: ticket.team_id },
        };
        await this.events.record(manager, { type: 'attachment.added', orgId: target.principal.orgId, aggregateId: ticket.id, actor: actorOf(target.principal), data });
      }
    });
    this.events.committed();
  }
}
