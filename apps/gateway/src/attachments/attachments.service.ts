import { BadRequestException, HttpException, Inject, Injectable, Logger, UnsupportedMediaTypeException } from '@nestjs/common';
import { subjects, type AttachmentAllowanceView, type AttachmentDownloadView, type AttachmentView, type Principal } from '@helpdesk/contracts';
import { CommandClient, CommandError, MetricsService, sanitizeFilename, screenFile, SNIFF_BYTES } from '@helpdesk/common';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import { isUUID } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { GatewayConfig } from '../gateway.config.js';
import { AttachmentStore, type StoredObject } from './attachment-store.js';
import { FileUpload } from './file-upload.js';

export const FILE_FIELD = 'file';
export const COMMENT_FIELD = 'commentId';

/** What the ticket service is told about bytes already in the bucket. */
interface StoredFile {
  objectKey: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

interface ReceivedForm {
  file?: StoredFile;
  commentId?: string;
}

export interface AttachmentDownload extends StoredObject {
  attachment: AttachmentDownloadView;
}

/**
 * Uploads and downloads of attachment bytes. The ticket service owns the metadata and decides who may
 * see what; the gateway checks the file (extension allow-list, magic bytes, size) and moves the bytes
 * between the client and the object store as streams.
 */
@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger(AttachmentsService.name);
  /**
   * The ticket service's counter of the same name counts the stages it sees (before_upload, at_commit);
   * this one counts refusals while the file streams (stage "upload"), which only the gateway sees.
   */
  private readonly quotaRefusals: Counter<'stage'>;

  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(AttachmentStore) private readonly store: AttachmentStore,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.quotaRefusals = new Counter({
      name: 'helpdesk_attachment_quota_refusals_total',
      help: "Uploads refused because the organization's attachment quota (ORG_ATTACHMENT_QUOTA_MB) had no room for them, by stage (upload: while the file streamed; the ticket service counts before_upload and at_commit)",
      labelNames: ['stage'] as const,
      registers: [metrics.registry],
    });
  }

  async upload(principal: Principal, ticketId: string, request: FastifyRequest): Promise<AttachmentView> {
    if (!request.isMultipart()) throw new UnsupportedMediaTypeException(`Send the file as multipart/form-data in the field "${FILE_FIELD}"`);
    // Before a byte is read: nobody fills the bucket through a ticket they cannot see, nor past the organization's quota.
    const allowance = await this.commands.request<AttachmentAllowanceView>(subjects.attachments.allowance, { principal, ticketId });
    const { file, commentId } = await this.receiveForm(principal.orgId, allowance, request);
    if (!file) throw new BadRequestException(`Attach the file in the multipart field "${FILE_FIELD}"`);
    try {
      return await this.commands.request<AttachmentView>(subjects.attachments.add, { principal, ticketId, commentId, ...file });
    } catch (error) {
      await this.discard(file.objectKey);
      throw error;
    }
  }

  async download(principal: Principal, attachmentId: string): Promise<AttachmentDownload> {
    const attachment = await this.commands.request<AttachmentDownloadView>(subjects.attachments.get, { principal, attachmentId });
    return { attachment, ...(await this.store.open(attachment.objectKey)) };
  }

  /**
   * Reads the whole form, storing the file as it streams by. After a refusal the rest of the form is
   * still read (and dropped, within the parser's limits), so the client gets its answer on a
   * connection that is left in a clean state; stored bytes of a refused form are deleted.
   */
  private async receiveForm(orgId: string, allowance: AttachmentAllowanceView, request: FastifyRequest): Promise<ReceivedForm> {
    const form: ReceivedForm = {};
    let refusal: unknown;
    try {
      for await (const part of request.parts()) {
        if (refusal !== undefined) {
          skip(part);
          continue;
        }
        try {
          await this.takePart(orgId, allowance, part, form);
        } catch (error) {
          refusal = error;
          skip(part);
        }
      }
    } catch (error) {
      refusal ??= formRefusal(error);
    }
    if (refusal !== undefined) {
      if (form.file) await this.discard(form.file.objectKey);
      throw refusal;
    }
    return form;
  }

  private async takePart(orgId: string, allowance: AttachmentAllowanceView, part: Multipart, form: ReceivedForm): Promise<void> {
    if (part.type === 'field') {
      if (part.fieldname !== COMMENT_FIELD) throw new BadRequestException(`Unexpected field "${part.fieldname}": send "${FILE_FIELD}" and, optionally, "${COMMENT_FIELD}"`);
      const value = part.value;
      if (value === '') return;
      if (typeof value !== 'string' || part.valueTruncated || !isUUID(value)) throw new BadRequestException(`${COMMENT_FIELD} must be a UUID`);
      form.commentId = value;
      return;
    }
    if (part.fieldname !== FILE_FIELD) throw new BadRequestException(`Unexpected file field "${part.fieldname}": send the file in "${FILE_FIELD}"`);
    form.file = await this.storeFile(orgId, allowance, part);
  }

  /**
   * Screens the first bytes, then streams the file into the bucket; nothing is written for a refused
   * file, and a file that passes the size limit or the remaining quota is purged as soon as it does.
   */
  private async storeFile(orgId: string, allowance: AttachmentAllowanceView, part: MultipartFile): Promise<StoredFile> {
    const filename = sanitizeFilename(part.filename ?? '');
    const upload = new FileUpload(part.file, this.config.MAX_UPLOAD_BYTES, allowance);
    try {
      const screening = await screenFile(filename, await upload.peek(SNIFF_BYTES));
      if (!screening.accepted) throw new UnsupportedMediaTypeException(screening.reason);
      const objectKey = `${orgId}/${randomUUID()}`;
      try {
        await this.store.put(objectKey, upload.stream());
      } catch (error) {
        if (upload.failure instanceof CommandError && upload.failure.code === 'QUOTA_EXCEEDED') this.quotaRefusals.inc({ stage: 'upload' });
        throw upload.failure ?? this.store.unavailable('store', error);
      }
      return { objectKey, filename, contentType: screening.contentType, size: upload.size, sha256: upload.sha256() };
    } finally {
      await upload.discardRest();
    }
  }

  private async discard(objectKey: string): Promise<void> {
    await this.store.delete(objectKey).catch((error: unknown) => {
      // The original failure is what the client must hear about; a leftover object is for operators to clean up.
      this.logger.warn(`Could not delete attachment object ${objectKey}, now orphaned: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

/** Lets the parser move past a part nobody reads (an unread file would hold the rest of the request back). */
function skip(part: Multipart): void {
  if (part.type === 'file' && !part.file.readableEnded) part.file.resume();
}

/**
 * Errors of the multipart parser itself: its limits (413: too many files, fields or parts, file too
 * large) and malformed bodies (400), as HTTP errors instead of unexpected failures.
 */
function formRefusal(error: unknown): unknown {
  if (error instanceof HttpException) return error;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  if (typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new HttpException(FORM_ERROR_MESSAGES[code] ?? (error as Error).message, statusCode);
  }
  return new BadRequestException(`The multipart form is malformed: ${error instanceof Error ? error.message : String(error)}`);
}

const FORM_ERROR_MESSAGES: Record<string, string> = {
  FST_FILES_LIMIT: 'Send one file per upload',
  FST_FIELDS_LIMIT: 'The form has too many fields',
  FST_PARTS_LIMIT: 'The form has too many parts',
  FST_REQ_FILE_TOO_LARGE: 'The file is larger than the upload limit',
};
