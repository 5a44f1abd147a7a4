import { Inject, Injectable, Logger } from '@nestjs/common';
import { attachmentPath, CommandError, JetStreamConnection, sanitizeFilename, screenFile, SNIFF_BYTES } from '@helpdesk/common';
import { MAILBOX_LIMITS, type EmailAttachmentDto } from '@helpdesk/contracts';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import type { Attachment, ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { NotificationConfig } from '../notification.config.js';

/** Names the attachment ids of a change: the same mail delivered again gets the same ids, and records nothing twice. */
const MAIL_ATTACHMENT_NAMESPACE = '6f1c3b0e-58a4-4c52-9b8e-2d7f0a1e4c93';

/** Report parts of a delivery status notification: the bounce itself, not something the sender attached. */
const REPORT_PARTS = new Set(['message/delivery-status', 'message/global-delivery-status', 'text/rfc822-headers', 'message/disposition-notification']);

export interface RefusedAttachment {
  filename: string;
  reason: string;
}

/** What the attachments of a mail became: stored ones for the ticket, refused ones to name on it, and where each inline image now lives. */
export interface MailAttachments {
  accepted: EmailAttachmentDto[];
  refused: RefusedAttachment[];
  /** Content-ID (without angle brackets, lower case) → the attachment's path, for `cid:` references in the HTML. */
  inlineImages: Map<string, { src: string; filename: string }>;
}

/**
 * The attachments of an inbound mail through the same screening as uploads (size limit, extension
 * allow-list, sniffed content type: libs/common file-screening), the accepted ones stored in the
 * attachment bucket under `<orgId>/<id>` like uploads. Inline images are attachments too.
 */
@Injectable()
export class InboundAttachments {
  private readonly logger = new Logger(InboundAttachments.name);
  private bucket?: Promise<ObjectStore>;

  constructor(
    @Inject(JetStreamConnection) private readonly jetstream: JetStreamConnection,
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
  ) {}

  async keep(orgId: string, changeId: string, parsed: ParsedMail): Promise<MailAttachments> {
    const kept: MailAttachments = { accepted: [], refused: [], inlineImages: new Map() };
    const parts = parsed.attachments.filter((part) => !REPORT_PARTS.has(part.contentType.toLowerCase()));
    for (const [index, part] of parts.entries()) {
      const filename = sanitizeFilename(part.filename ?? unnamedFilename(part, index));
      if (index >= MAILBOX_LIMITS.attachments) {
        kept.refused.push({ filename, reason: `Only the first ${MAILBOX_LIMITS.attachments} attachments of a mail are kept` });
        continue;
      }
      if (part.content.length > this.config.MAX_UPLOAD_BYTES) {
        kept.refused.push({ filename, reason: `The file is larger than the upload limit of ${describeBytes(this.config.MAX_UPLOAD_BYTES)}` });
        continue;
      }
      const screening = await screenFile(filename, part.content.subarray(0, SNIFF_BYTES));
      if (!screening.accepted) {
        kept.refused.push({ filename, reason: screening.reason });
        continue;
      }
      const id = uuidv5(`${changeId}/${index}`, MAIL_ATTACHMENT_NAMESPACE);
      const objectKey = `${orgId}/${id}`;
      await this.put(objectKey, part.content);
      const sha256 = createHash('sha256').update(part.content).digest('hex');
      kept.accepted.push({ id, filename, contentType: screening.contentType, size: part.content.length, sha256, objectKey });
      const contentId = part.contentId?.replace(/^<|>$/g, '').toLowerCase();
      if (contentId && screening.contentType.startsWith('image/')) kept.inlineImages.set(contentId, { src: attachmentPath(id), filename });
    }
    return kept;
  }

  /** The bytes of attachments that were not recorded: the organization's quota was full, or the sender's mail opened no ticket. */
  async discard(orgId: string, attachmentIds: string[] | undefined): Promise<void> {
    for (const id of attachmentIds ?? []) {
      await (await this.store()).delete(`${orgId}/${id}`).catch((error: unknown) => {
        // The ticket change is made; a leftover object is for operators to clean up, not a reason to fail the mail.
        this.logger.warn(`Could not delete attachment object ${orgId}/${id}, now orphaned: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  private async put(key: string, bytes: Buffer): Promise<void> {
    await (await this.store()).putBlob({ name: key }, bytes).catch((error: unknown) => {
      throw this.unavailable(error);
    });
  }

  private unavailable(cause: unknown): CommandError {
    this.logger.warn(`The attachment store failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    return new CommandError('UNAVAILABLE', 'The attachment store is unavailable');
  }

  /** Opened with the gateway's settings (ATTACHMENTS_BUCKET, ATTACHMENT_STORE_MAX_BYTES), whichever service creates it first. */
  private store(): Promise<ObjectStore> {
    this.bucket ??= this.jetstream
      .client()
      .then((client) => new Objm(client).create(this.config.ATTACHMENTS_BUCKET, { storage: StorageType.File, max_bytes: this.config.ATTACHMENT_STORE_MAX_BYTES, replicas: this.config.OBJECT_STORE_REPLICAS }))
      .catch((error: unknown) => {
        this.bucket = undefined;
        throw this.unavailable(error);
      });
    return this.bucket;
  }
}

/** The extensions of the types mail clients send without a file name (inline images, forwarded mail); any other stays without one and is refused by the screening. */
const UNNAMED_PART_EXTENSIONS: Readonly<Record<string, string>> = {
  'message/rfc822': 'eml',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

/** A part without a file name, named by its declared type so the screening can judge it (by its bytes, as any upload). */
function unnamedFilename(part: Attachment, index: number): string {
  const extension = UNNAMED_PART_EXTENSIONS[part.contentType.toLowerCase()];
  const stem = extension === 'eml' ? 'forwarded-message' : `attachment-${index + 1}`;
  return extension ? `${stem}.${extension}` : stem;
}

const MB = 1024 * 1024;

function describeBytes(bytes: number): string {
  return bytes >= MB ? `${Number((bytes / MB).toFixed(1))} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
