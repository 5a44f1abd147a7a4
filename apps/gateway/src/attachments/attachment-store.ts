import { Inject, Injectable } from '@nestjs/common';
import { CommandError, JetStreamConnection } from '@helpdesk/common';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { GatewayConfig } from '../gateway.config.js';

export interface StoredObject {
  size: number;
  bytes: Readable;
}

/**
 * Attachment bytes in a JetStream object store bucket (DESIGN section 4): they never travel in NATS
 * requests. The bucket is created on first use, on file storage.
 */
@Injectable()
export class AttachmentStore {
  private bucket?: Promise<ObjectStore>;

  constructor(
    @Inject(JetStreamConnection) private readonly jetstream: JetStreamConnection,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  /**
   * Stores the stream under `key`, reading it only as fast as JetStream acknowledges the chunks.
   * If the stream fails, the chunks already written are purged and its error is rethrown as is.
   */
  async put(key: string, bytes: ReadableStream<Uint8Array>): Promise<void> {
    const store = await this.store();
    await store.put({ name: key }, bytes);
  }

  /** The stored bytes, streamed from the bucket without buffering; NOT_FOUND when there are none. */
  async open(key: string): Promise<StoredObject> {
    const object = await (await this.store()).get(key);
    if (!object) throw new CommandError('NOT_FOUND', 'Attachment not found');
    // The same failure (a corrupt chunk, a lost connection) also errors the stream, where the reply sees it.
    object.error.catch(() => undefined);
    return { size: object.info.size, bytes: Readable.fromWeb(object.data as NodeWebReadableStream<Uint8Array>) };
  }

  async delete(key: string): Promise<void> {
    await (await this.store()).delete(key);
  }

  /** The keys stored under a prefix (an organization's id): for tests and operations, never on a request path. */
  async keys(prefix: string): Promise<string[]> {
    const objects = await (await this.store()).list();
    return objects.filter((object) => !object.deleted && object.name.startsWith(prefix)).map((object) => object.name);
  }

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.jetstream
      .client()
      .then((client) => new Objm(client).create(this.config.ATTACHMENTS_BUCKET, { storage: StorageType.File }))
      .catch((error: unknown) => {
        // Forget the failure, so the next request tries again once NATS is back.
        this.bucket = undefined;
        throw new CommandError('UNAVAILABLE', `The attachment store is unavailable: ${error instanceof Error ? error.message : String(error)}`);
      });
    return this.bucket;
  }
}
