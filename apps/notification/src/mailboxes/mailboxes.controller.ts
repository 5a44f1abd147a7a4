import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateMailboxCommand, ListMailboxesCommand, MailboxRefCommand, OwnsAddressCommand, subjects, UpdateMailboxCommand } from '@helpdesk/contracts';
import { Mailboxes } from './mailboxes.service.js';

/** Sent by the gateway's admin endpoints, with the admin's principal. */
@Controller()
export class MailboxesController {
  constructor(@Inject(Mailboxes) private readonly mailboxes: Mailboxes) {}

  @MessagePattern(subjects.mailboxes.create)
  create(@Payload() command: CreateMailboxCommand) {
    return this.mailboxes.create(command);
  }

  @MessagePattern(subjects.mailboxes.list)
  list(@Payload() command: ListMailboxesCommand) {
    return this.mailboxes.list(command);
  }

  @MessagePattern(subjects.mailboxes.get)
  get(@Payload() command: MailboxRefCommand) {
    return this.mailboxes.get(command.principal, command.mailboxId);
  }

  @MessagePattern(subjects.mailboxes.update)
  update(@Payload() command: UpdateMailboxCommand) {
    return this.mailboxes.update(command);
  }

  @MessagePattern(subjects.mailboxes.delete)
  delete(@Payload() command: MailboxRefCommand) {
    return this.mailboxes.delete(command.principal, command.mailboxId);
  }

  @MessagePattern(subjects.mailboxes.rotateToken)
  rotateToken(@Payload() command: MailboxRefCommand) {
    return this.mailboxes.rotateToken(command.principal, command.mailboxId);
  }

  @MessagePattern(subjects.mailboxes.ownsAddress)
  ownsAddress(@Payload() command: OwnsAddressCommand) {
    return this.mailboxes.ownsAddress(command);
  }
}
