import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandError, JetStreamConnection } from '@helpdesk/common';
import { INBOUND_MAIL_BUCKET } from '@helpdesk/contracts';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { Readable, Transform } from 'node:stream';
import { GatewayConfig } from '../gateway.config.js';

export class MessageTooLargeError extends Error {}

/**
 * Raw inbound messages into the `inbound-mail` bucket (created on first use, file storage, the same
 * settings as the notification service's), counted as they stream so an oversized one is cut off and
 * purged rather than stored.
 */
@Injectable()
export class InboundMailUploads {
  private readonly logger = new Logger(InboundMailUploads.name);
  private bucket?: Promise<ObjectStore>;

  constructor(
    @Inject(JetStreamConnection) private readonly jetstream: JetStreamConnection,
    @Inject(GatewayConfig) private readonly config: GatewayConfig,
  ) {}

  async put(key: string, body: Readable | undefined, maxBytes: number): Promise<void> {
    if (!body || typeof (body as Partial<Readable>).pipe !== 'function') throw new CommandError('VALIDATION', 'The raw message is missing');
    let received = 0;
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback(received > maxBytes ? new MessageTooLargeError() : null, chunk);
      },
    });
    body.on('error', (error) => limiter.destroy(error));
    const store = await this.store();
    try {
      await store.put({ name: key }, Readable.toWeb(body.pipe(limiter)) as ReadableStream<Uint8Array>);
    } catch (error) {
      if (error instanceof MessageTooLargeError || limiter.errored instanceof MessageTooLargeError) {
        // Drain the rest unread, so the client gets its 413 rather than a reset connection.
        body.resume();
        throw new MessageTooLargeError();
      }
      throw this.unavailable(error);
    }
    if (received === 0) {
      await store.delete(key).catch(() => undefined);
      throw new CommandError('VALIDATION', 'The raw message is empty');
    }
  }

  private unavailable(cause: unknown): CommandError {
    this.logger.warn(`Could not store a raw inbound message: ${cause instanceof Error ? cause.message : String(cause)}`);
    return new CommandError('UNAVAILABLE', 'The inbound mail store is unavailable');
  }

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.jetstream
      .client()
      .then((client) => new Objm(client).create(INBOUND_MAIL_BUCKET, { storage: StorageType.File, replicas: this.config.OBJECT_STORE_REPLICAS }))
      .catch((error: unknown) => {
        this.bucket = undefined;
        throw this.unavailable(error);
      });
    return this.bucket;
  }
}
