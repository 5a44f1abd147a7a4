import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TICKET_LIMITS, type AddAttachmentCommand, type AttachmentAddedData, type AttachmentDownloadView, type AttachmentRefCommand, type AttachmentView, type Page, type PageCommand } from '@helpdesk/contracts';
import { CommandError, sanitizeFilename } from '@helpdesk/common';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { Comment } from '../comments/comment.entity.js';
import { recordHistory } from '../history/ticket-history.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { decodeCursor, encodeCursor } from '../tickets/page-cursor.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { PrincipalVerifier, type VerifiedPrincipal } from '../users/principal-verifier.js';
import { Attachment } from './attachment.entity.js';
import { TicketConfig } from '../ticket.config.js';
import { TICKET_SCHEMA } from '../database/schema.js';

function toAttachmentView(attachment: Attachment): AttachmentView {
  return {
    id: attachment.id,
    ticketId: attachment.ticketId,
    commentId: attachment.commentId,
    filename: attachment.filename,
    contentType: attachment.contentType,
    size: attachment.size,
    sha256: attachment.sha256,
    uploadedBy: attachment.uploadedBy,
    createdAt: attachment.createdAt.toISOString(),
  };
}

/** Customers see only attachments outside internal notes. */
function hideInternalFromCustomers(query: SelectQueryBuilder<Attachment>, caller: VerifiedPrincipal): void {
  if (caller.staff) return;
  query.leftJoin(Comment, 'comment', 'comment.id = attachment.commentId').andWhere('(attachment.commentId IS NULL OR comment.internal = false)');
}

/**
 * Attachment metadata. The gateway stores the bytes and sends only their description; whoever may see
 * the ticket (its organization's staff, or the customer who opened it) may add, list and download.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(TicketConfig) private readonly config: TicketConfig,
  ) {}

  async add(command: AddAttachmentCommand): Promise<AttachmentView> {
    const attachment = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verify(command.principal, manager);
      const ticket = await this.visibleTicket(manager, caller, command.ticketId);
      const internal = command.commentId ? await this.commentIsInternal(manager, caller, ticket.id, command.commentId) : false;
      await this.assertWithinQuota(manager, caller.orgId, command.size);
      const attachment = await manager.save(
        manager.create(Attachment, {
          organizationId: caller.orgId,
          ticketId: ticket.id,
          commentId: command.commentId ?? null,
          filename: sanitizeFilename(command.filename),
          contentType: command.contentType.toLowerCase(),
          size: command.size,
          sha256: command.sha256.toLowerCase(),
          objectKey: command.objectKey,
          uploadedBy: caller.userId,
        }),
      );
      const view = toAttachmentView(attachment);
      await recordHistory(manager, {
        organizationId: caller.orgId,
        ticketId: ticket.id,
        actorId: caller.userId,
        action: 'attachment.added',
        changes: { attachment: { from: null, to: { id: view.id, filename: view.filename, commentId: view.commentId, internal } } },
      });
      const data: AttachmentAddedData = {
        attachment: view,
        internal,
        ticket: { id: ticket.id, number: ticket.number, requesterId: ticket.requesterId, assigneeId: ticket.assigneeId, teamId: ticket.teamId },
      };
      await this.events.record(manager, { type: 'attachment.added', orgId: caller.orgId, aggregateId: ticket.id, actor: actorOf(caller), data });
      return attachment;
    });
    this.events.committed();
    return toAttachmentView(attachment);
  }

  /** Oldest first, paged like every list (keyset on the creation time, as PostgreSQL text, and the id). */
  async list(command: PageCommand): Promise<Page<AttachmentView>> {
    const caller = await this.principals.verify(command.principal);
    const manager = this.dataSource.manager;
    await this.visibleTicket(manager, caller, command.ticketId);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = manager
      .createQueryBuilder(Attachment, 'attachment')
      .addSelect('attachment.created_at::text', 'sort_value')
      .where('attachment.ticketId = :ticketId AND attachment.organizationId = :orgId', { ticketId: command.ticketId, orgId: caller.orgId });
    hideInternalFromCustomers(query, caller);
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'timestamp');
      query.andWhere('(attachment.createdAt, attachment.id) > (:createdAt, :id)', { createdAt: cursor.value, id: cursor.id });
    }
    const { entities, raw } = await query.orderBy('attachment.createdAt', 'ASC').addOrderBy('attachment.id', 'ASC').limit(limit + 1).getRawAndEntities<{ sort_value: string }>();
    const page = entities.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toAttachmentView), nextCursor: entities.length > limit && last ? encodeCursor({ value: raw[page.length - 1]!.sort_value, id: last.id }) : null };
  }

  /** With the object key, for the gateway to stream the bytes; "not found" unless the caller may see the file. */
  async get(command: AttachmentRefCommand): Promise<AttachmentDownloadView> {
    const caller = await this.principals.verify(command.principal);
    const query = this.dataSource.manager
      .createQueryBuilder(Attachment, 'attachment')
      .innerJoin(Ticket, 'ticket', 'ticket.id = attachment.ticketId AND ticket.organizationId = attachment.organizationId')
      .where('attachment.id = :attachmentId AND attachment.organizationId = :orgId', { attachmentId: command.attachmentId, orgId: caller.orgId });
    if (!caller.staff) query.andWhere('ticket.requesterId = :userId', { userId: caller.userId });
    hideInternalFromCustomers(query, caller);
    const attachment = await query.getOne();
    if (!attachment) throw new CommandError('NOT_FOUND', 'Attachment not found');
    return { ...toAttachmentView(attachment), objectKey: attachment.objectKey };
  }

  /** The same rule as tickets.get: same organization, and for customers only the tickets they opened. */
  /**
   * The organization's row is locked for the rest of the transaction, so concurrent uploads of one
   * organization are counted one after another and cannot pass the quota together.
   */
  private async assertWithinQuota(manager: EntityManager, organizationId: string, size: number): Promise<void> {
    await manager.query(`SELECT 1 FROM ${TICKET_SCHEMA}.organizations WHERE id = $1 FOR UPDATE`, [organizationId]);
    const [{ stored }] = (await manager.query(`SELECT COALESCE(SUM(size), 0)::bigint AS stored FROM ${TICKET_SCHEMA}.attachments WHERE organization_id = $1`, [organizationId])) as Array<{ stored: string }>;
    const quotaMb = this.config.ORG_ATTACHMENT_QUOTA_MB;
    if (Number(stored) + size > quotaMb * 1024 * 1024) {
      throw new CommandError('QUOTA_EXCEEDED', `This upload would exceed the organization's attachment quota of ${quotaMb} MB (${(Number(stored) / 1024 / 1024).toFixed(1)} MB stored)`, {
        quota: 'ORG_ATTACHMENT_QUOTA_MB',
        quotaMb,
      });
    }
  }

  private async visibleTicket(manager: EntityManager, caller: VerifiedPrincipal, ticketId: string): Promise<Ticket> {
    const query = manager.createQueryBuilder(Ticket, 'ticket').where('ticket.id = :ticketId AND ticket.organizationId = :orgId', { ticketId, orgId: caller.orgId });
    if (!caller.staff) query.andWhere('ticket.requesterId = :userId', { userId: caller.userId });
    const ticket = await query.getOne();
    if (!ticket) throw new CommandError('NOT_FOUND', 'Ticket not found');
    return ticket;
  }

  /** The comment must belong to the ticket; a customer never learns that an internal note exists. */
  private async commentIsInternal(manager: EntityManager, caller: VerifiedPrincipal, ticketId: string, commentId: string): Promise<boolean> {
    const comment = await manager.findOne(Comment, { where: { id: commentId, ticketId, organizationId: caller.orgId } });
    if (!comment || (comment.internal && !caller.staff)) throw new CommandError('NOT_FOUND', 'Comment not found');
    return comment.internal;
  }
}
