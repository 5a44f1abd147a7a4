import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandError, JetStreamConnection } from '@helpdesk/common';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { GatewayConfig } from '../gateway.config.js';

/** The bucket's settings: file storage, and a byte limit that leaves the events stream its room. */
export function attachmentBucketOptions(config: Pick<GatewayConfig, 'ATTACHMENT_STORE_MAX_BYTES'> & Partial<Pick<GatewayConfig, 'OBJECT_STORE_REPLICAS'>>) {
  return { storage: StorageType.File, max_bytes: config.ATTACHMENT_STORE_MAX_BYTES, replicas: config.OBJECT_STORE_REPLICAS ?? 1 };
}

export interface StoredObject {
  size: number;
  bytes: Readable;
}

/**
 * Attachment bytes in a JetStream object store bucket (DESIGN section 4): they never travel in NATS
 * requests. The bucket is created on first use, on file storage. Failures of NATS itself answer
 * UNAVAILABLE (503).
 */
@Injectable()
export class AttachmentStore {
  private readonly logger = new Logger(AttachmentStore.name);
  private bucket?: Promise<ObjectStore>;

  constructor(
    @Inject(JetStreamConnection) private readonly jetstream: JetStreamConnection,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  /**
   * Stores the stream under `key`, reading it only as fast as JetStream acknowledges the chunks.
   * If the stream errors, the chunks already written are purged and the stream's own error is
   * rethrown, so the caller can tell its refusal from a storage failure.
   */
  async put(key: string, bytes: ReadableStream<Uint8Array>): Promise<void> {
    await (await this.store()).put({ name: key }, bytes);
  }

  /** The stored bytes, streamed from the bucket without buffering; NOT_FOUND when there are none. */
  async open(key: string): Promise<StoredObject> {
    const store = await this.store();
    const object = await store.get(key).catch((error: unknown) => {
      throw this.unavailable('read', error);
    });
    if (!object) {
      // Metadata without bytes: the ticket service and the bucket disagree, which someone must look into.
      this.logger.warn(`Attachment object ${key} is missing from bucket ${this.config.ATTACHMENTS_BUCKET}`);
      throw new CommandError('NOT_FOUND', 'Attachment not found');
    }
    // The same failure (a corrupt chunk, a lost connection) also errors the stream, where the reply sees it.
    object.error.catch(() => undefined);
    return { size: object.info.size, bytes: Readable.fromWeb(object.data as NodeWebReadableStream<Uint8Array>) };
  }

  async delete(key: string): Promise<void> {
    await (await this.store()).delete(key);
  }

  /** Wraps a failure of NATS as the 503 the client should see, keeping the cause in the log. */
  unavailable(action: string, cause: unknown): CommandError {
    this.logger.warn(`Could not ${action} attachment bytes: ${cause instanceof Error ? cause.message : String(cause)}`);
    return new CommandError('UNAVAILABLE', 'The attachment store is unavailable');
  }

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.jetstream
      .client()
      .then((client) => new Objm(client).create(this.config.ATTACHMENTS_BUCKET, attachmentBucketOptions(this.config)))
      .catch((error: unknown) => {
        // Forget the failure, so the next request tries again once NATS is back.
        this.bucket = undefined;
        throw this.unavailable('open the bucket for', error);
      });
    return this.bucket;
  }
}
