import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandError, JetStreamConnection } from '@helpdesk/common';
import { INBOUND_MAIL_BUCKET } from '@helpdesk/contracts';
import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { NotificationConfig } from '../notification.config.js';

/** The bucket's settings, the same wherever it is created first (the gateway or this service). */
/** The gateway opens the bucket with the same settings, whichever service creates it first. */
export const inboundMailBucketOptions = (replicas: number) => ({ storage: StorageType.File, replicas });

const FRESH_KEYS = new WeakMap<ObjectStore, ObjectStore>();

/**
 * The bucket for puts under keys never used before. The library looks up a previous version of the
 * name before every put (to purge its chunks afterwards): for a fresh key that is a wasted JetStream
 * request per message, about a third of the raw copy's round trips. An object inheriting everything
 * else, it answers that lookup with "none" (`info` is what the library's put asks).
 */
function freshKeys(store: ObjectStore): ObjectStore {
  let fresh = FRESH_KEYS.get(store);
  if (!fresh) {
    fresh = Object.create(store, { info: { value: () => Promise.resolve(null) } }) as ObjectStore;
    FRESH_KEYS.set(store, fresh);
  }
  return fresh;
}

/** Raw inbound messages in the JetStream object store bucket `inbound-mail` (DESIGN section 13). */
@Injectable()
export class InboundMailStore {
  private readonly logger = new Logger(InboundMailStore.name);
  private bucket?: Promise<ObjectStore>;

  constructor(
    @Inject(JetStreamConnection) private readonly jetstream: JetStreamConnection,
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
  ) {}

  async read(key: string): Promise<Buffer> {
    const bytes = await (await this.store()).getBlob(key).catch((error: unknown) => {
      throw this.unavailable(error);
    });
    if (!bytes) throw new CommandError('NOT_FOUND', `No raw message is stored under ${key}`);
    return Buffer.from(bytes);
  }

  /** `key` must be new (the intake's keys hold a random UUID): nothing stored under it is looked up or replaced. */
  async write(key: string, raw: Buffer): Promise<void> {
    await freshKeys(await this.store()).putBlob({ name: key }, raw).catch((error: unknown) => {
      throw this.unavailable(error);
    });
  }

  async delete(key: string): Promise<void> {
    await (await this.store()).delete(key);
  }

  private unavailable(cause: unknown): CommandError {
    this.logger.warn(`The inbound mail store failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    return new CommandError('UNAVAILABLE', 'The inbound mail store is unavailable');
  }

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.jetstream
      .client()
      .then((client) => new Objm(client).create(INBOUND_MAIL_BUCKET, inboundMailBucketOptions(this.config.OBJECT_STORE_REPLICAS)))
      .catch((error: unknown) => {
        this.bucket = undefined;
        throw this.unavailable(error);
      });
    return this.bucket;
  }
}
