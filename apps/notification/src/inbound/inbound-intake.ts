import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { InboundReceipt } from '@helpdesk/contracts';
import { Mailboxes, type InboundMailbox } from '../mailboxes/mailboxes.service.js';
import { InboundMailStore } from './inbound-mail-store.js';
import { InboundPipeline } from './inbound-pipeline.js';

/** Where every way in meets the pipeline: the raw copy in the bucket is kept once per recorded message. */
@Injectable()
export class InboundIntake {
  constructor(
    @Inject(InboundMailStore) private readonly store: InboundMailStore,
    @Inject(InboundPipeline) private readonly pipeline: InboundPipeline,
    @Inject(Mailboxes) private readonly mailboxes: Mailboxes,
  ) {}

  /**
   * A message not stored yet (SMTP, IMAP): kept under `<mailboxId>/<uuid>`, then through the pipeline.
   * `recipients`: the SMTP envelope's for this mailbox (IMAP has only the headers).
   */
  async receive(mailbox: InboundMailbox, raw: Buffer, recipients?: string[]): Promise<InboundReceipt> {
    const objectKey = `${mailbox.id}/${randomUUID()}`;
    await this.store.write(objectKey, raw);
    return this.ingestStored(mailbox, raw, objectKey, recipients);
  }

  /** A message already in the bucket (the HTTP way in stores it while streaming). */
  async ingestStored(mailbox: InboundMailbox, raw: Buffer, objectKey: string, recipients?: string[]): Promise<InboundReceipt> {
    // A duplicate's copy, or one that made nothing, goes; the sender delivers again on a failure, under a new key.
    const discard = () => this.store.delete(objectKey).catch(() => undefined);
    let result: InboundReceipt;
    try {
      result = await this.pipeline.ingest(mailbox, raw, objectKey, recipients);
    } catch (error) {
      await discard();
      await this.mailboxes.countOutcome(mailbox.id, 'failed');
      throw error;
    }
    // Other outcomes were counted in the pipeline's record transaction, with the outcome itself.
    if (result.outcome === 'duplicate') {
      await discard();
      await this.mailboxes.countOutcome(mailbox.id, result.outcome);
    }
    return result;
  }
}
