import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { AttachmentAllowanceView } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** A multipart file part's byte stream; `truncated` turns true once the parser's fileSize limit cut it. */
export interface UploadedFileStream extends Readable {
  truncated: boolean;
}

/**
 * One uploaded file as it arrives: its first bytes can be held back and examined before anything is
 * stored, then all of it streams on, hashed and counted on the way, never held whole in memory.
 * Past the size limit the stream fails (413), and so does it past what the organization's attachment
 * quota leaves (429 QUOTA_EXCEEDED, before the chunk that would pass it is handed on), so the object
 * store purges what it already wrote and never holds more than the quota allows.
 */
export class FileUpload {
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly held: Buffer[] = [];
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private ended = false;
  /** Why this upload failed (too large, past the quota, or the client's stream broke), as opposed to a failure of the store. */
  failure?: Error;

  constructor(
    private readonly file: UploadedFileStream,
    private readonly maxBytes: number,
    /** The organization's quota as the ticket service counted it before the upload. */
    private readonly allowance: Pick<AttachmentAllowanceView, 'storedBytes' | 'quotaBytes' | 'remainingBytes'>,
  ) {
    this.chunks = file[Symbol.asyncIterator]();
  }

  /** At least the first `count` bytes (fewer if the file is shorter), which stay at the front of the stream. */
  async peek(count: number): Promise<Buffer> {
    let heldBytes = this.held.reduce((total, chunk) => total + chunk.length, 0);
    while (heldBytes < count) {
      const chunk = await this.read();
      if (!chunk) break;
      this.held.push(chunk);
      heldBytes += chunk.length;
    }
    return Buffer.concat(this.held);
  }

  /** All the bytes, held-back ones first, pulled only as fast as the consumer takes them. */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await this.next();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
  }

  get size(): number {
    return this.bytes;
  }

  /** Lowercase hex SHA-256 of everything streamed; read it once the stream has ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  /**
   * Reads and drops what is left, so the form parser can reach the following parts and the request is
   * read to its end. Bounded by the parser's fileSize limit.
   */
  async discardRest(): Promise<void> {
    try {
      while (await this.read());
    } catch {
      // The stream broke (the client went away): nothing is left to discard, and the refusal already on its way is the answer.
    }
  }

  private async next(): Promise<Buffer | undefined> {
    const chunk = this.held.shift() ?? (await this.read());
    // The parser cuts the file at the limit and marks it truncated: what arrived is not the whole file.
    if (this.file.truncated) throw this.fail(new PayloadTooLargeException(`The file is larger than the upload limit of ${describeBytes(this.maxBytes)}`));
    if (!chunk) return undefined;
    if (this.bytes + chunk.length > this.allowance.remainingBytes) throw this.fail(this.quotaExceeded());
    this.hash.update(chunk);
    this.bytes += chunk.length;
    return chunk;
  }

  private async read(): Promise<Buffer | undefined> {
    if (this.ended) return undefined;
    try {
      const { done, value } = await this.chunks.next();
      if (done) this.ended = true;
      return done ? undefined : value;
    } catch {
      // The parser destroys the part when the request breaks off: a client error, not a server failure.
      this.ended = true;
      throw this.fail(new BadRequestException('The upload broke off before the file was complete'));
    }
  }

  /** Worded like the ticket service's own refusal at commit, with the same details. */
  private quotaExceeded(): CommandError {
    const quotaMb = Number((this.allowance.quotaBytes / MB).toFixed(1));
    return new CommandError('QUOTA_EXCEEDED', `This upload would exceed the organization's attachment quota of ${quotaMb} MB (${(this.allowance.storedBytes / MB).toFixed(1)} MB stored)`, {
      quota: 'ORG_ATTACHMENT_QUOTA_MB',
      quotaMb,
    });
  }

  private fail(error: Error): Error {
    this.failure ??= error;
    return this.failure;
  }
}

const MB = 1024 * 1024;

/** 10485760 -> "10 MB" (binary megabytes, as the limit is meant). */
function describeBytes(bytes: number): string {
  const megabytes = bytes / MB;
  return megabytes >= 1 ? `${Number(megabytes.toFixed(1))} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
