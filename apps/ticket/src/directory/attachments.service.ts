import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  TICKET_LIMITS,
  type AddAttachmentCommand,
  type AttachmentAddedData,
  type AttachmentAllowanceView,
  type AttachmentDownloadView,
  type AttachmentRefCommand,
  type AttachmentView,
  type Page,
  type PageCommand,
  type TicketRefCommand,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, MetricsService, sanitizeFilename } from '@helpdesk/common';
import { Counter } from 'prom-client';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { Comment } from '../comments/comment.entity.js';
import { historyActor, recordHistory } from '../history/ticket-history.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
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

const MB = 1024 * 1024;

/** Where an upload was refused for the quota: asked before the gateway stored a byte, or when the metadata was committed. */
type QuotaRefusalStage = 'before_upload' | 'at_commit';

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
  private readonly quotaRefusals: Counter<'stage'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(TicketConfig) private readonly config: TicketConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    // No organization label (unbounded cardinality): the refusal's log line and answer name it.
    this.quotaRefusals = new Counter({
      name: 'helpdesk_attachment_quota_refusals_total',
      help: "Uploads refused because the organization's attachment quota (ORG_ATTACHMENT_QUOTA_MB) had no room for them, by stage (before_upload, at_commit; the gateway counts upload)",
      labelNames: ['stage'] as const,
      registers: [metrics.registry],
    });
  }

  /**
   * What the caller's organization may still store, checked like add (the principal, then the ticket's
   * visibility: NOT_FOUND first, so nobody learns the quota through a ticket they cannot see).
   * QUOTA_EXCEEDED when nothing remains, so the gateway refuses before reading a byte.
   */
  async allowance(command: TicketRefCommand): Promise<AttachmentAllowanceView> {
    const caller = await this.principals.verify(command.principal);
    const manager = this.dataSource.manager;
    const ticket = await this.visibleTicket(manager, caller, command.ticketId);
    const storedBytes = await this.storedBytes(manager, caller.orgId);
    const quotaBytes = this.config.ORG_ATTACHMENT_QUOTA_MB * MB;
    const remainingBytes = Math.max(0, quotaBytes - storedBytes);
    if (remainingBytes === 0) throw this.quotaExceeded('before_upload', 'The organization has used up its attachment quota', storedBytes);
    return { ticketId: ticket.id, storedBytes, quotaBytes, remainingBytes };
  }

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
        ...historyActor(caller),
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

  /**
   * The organization's row is locked for the rest of the transaction, so concurrent uploads of one
   * organization are counted one after another and cannot pass the quota together. This is the check
   * that holds; attachments.allowance only lets the gateway stop early.
   */
  private async assertWithinQuota(manager: EntityManager, organizationId: string, size: number): Promise<void> {
    // NO KEY UPDATE serializes the organization's uploads yet lets other transactions insert rows that reference
    // the organization (key-share): FOR UPDATE deadlocked with a trigger holding this ticket and writing history.
    await manager.query(`SELECT 1 FROM ${TICKET_SCHEMA}.organizations WHERE id = $1 FOR NO KEY UPDATE`, [organizationId]);
    const stored = await this.storedBytes(manager, organizationId);
    if (stored + size > this.config.ORG_ATTACHMENT_QUOTA_MB * MB) throw this.quotaExceeded('at_commit', "This upload would exceed the organization's attachment quota", stored);
  }

  private async storedBytes(manager: EntityManager, organizationId: string): Promise<number> {
    const [{ stored }] = (await manager.query(`SELECT COALESCE(SUM(size), 0)::bigint AS stored FROM ${TICKET_SCHEMA}.attachments WHERE organization_id = $1`, [organizationId])) as Array<{ stored: string }>;
    return Number(stored);
  }

  /** "<reason> of 10240 MB (10239.5 MB stored)", with the quota's name in the details, counted by stage. */
  private quotaExceeded(stage: QuotaRefusalStage, reason: string, storedBytes: number): CommandError {
    this.quotaRefusals.inc({ stage });
    const quotaMb = this.config.ORG_ATTACHMENT_QUOTA_MB;
    return new CommandError('QUOTA_EXCEEDED', `${reason} of ${quotaMb} MB (${(storedBytes / MB).toFixed(1)} MB stored)`, { quota: 'ORG_ATTACHMENT_QUOTA_MB', quotaMb });
  }

  /** The same rule as tickets.get: same organization, and for customers only the tickets they opened. */
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
