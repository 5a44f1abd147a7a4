import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommandError } from '@helpdesk/common';
import { AuthorizeInboundCommand, IngestInboundCommand, subjects } from '@helpdesk/contracts';
import { Mailboxes } from '../mailboxes/mailboxes.service.js';
import { InboundMailStore } from './inbound-mail-store.js';
import { InboundIntake } from './inbound-intake.js';

/** The HTTP way in, through the gateway: it checks the token first, stores the raw message, then hands it over. */
@Controller()
export class InboundController {
  constructor(
    @Inject(Mailboxes) private readonly mailboxes: Mailboxes,
    @Inject(InboundMailStore) private readonly store: InboundMailStore,
    @Inject(InboundIntake) private readonly intake: InboundIntake,
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
    return this.intake.ingestStored(mailbox, await this.store.read(command.objectKey), command.objectKey);
  }
}
