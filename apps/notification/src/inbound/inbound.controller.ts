import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommandError } from '@helpdesk/common';
import { AuthorizeInboundCommand, IngestInboundCommand, subjects } from '@helpdesk/contracts';
import { Mailboxes } from '../mailboxes/mailboxes.service.js';
import { InboundMailStore } from './inbound-mail-store.js';
import { InboundPipeline } from './inbound-pipeline.js';

/** The HTTP way in, through the gateway: it checks the token first, stores the raw message, then hands it over. */
@Controller()
export class InboundController {
  constructor(
    @Inject(Mailboxes) private readonly mailboxes: Mailboxes,
    @Inject(InboundMailStore) private readonly store: InboundMailStore,
    @Inject(InboundPipeline) private readonly pipeline: InboundPipeline,
  ) {}

  @MessagePattern(subjects.inbound.authorize)
  async authorize(@Payload() command: AuthorizeInboundCommand) {
    const mailbox = await this.mailboxes.authorizeInbound(command.mailboxId, command.token);
    return { mailboxId: mailbox.id };
  }

  @MessagePattern(subjects.inbound.ingest)
  async ingest(@Payload() command: IngestInboundCommand) {
    const mailbox = await this.mailboxes.authorizeInbound(command.mailboxId, command.token);
    // Keys are the gateway's `<mailboxId>/<uuid>`: a token for one mailbox cannot feed another's message.
    if (!command.objectKey.startsWith(`${mailbox.id}/`)) throw new CommandError('FORBIDDEN', 'The raw message belongs to another mailbox');
    const raw = await this.store.read(command.objectKey);
    // The bucket keeps one copy per recorded message: a duplicate's copy, or one that made nothing, goes.
    const discard = () => this.store.delete(command.objectKey).catch(() => undefined);
    try {
      const result = await this.pipeline.ingest(mailbox, raw, command.objectKey);
      if (result.outcome === 'duplicate') await discard();
      return result;
    } catch (error) {
      // The provider posts again on a failure, under a new key.
      await discard();
      throw error;
    }
  }
}
