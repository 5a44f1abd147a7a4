import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, OmitType } from '@nestjs/swagger';
import { CommandClient } from '@helpdesk/common';
import { CreateMailboxCommand, ListMailboxesCommand, MailboxChanges, subjects, type MailboxView, type MailboxWithTokenView, type Page, type Principal } from '@helpdesk/contracts';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

/** `{ address, imap?: { host, port, tls, user, password, folder? } }`. */
export class CreateMailboxBody extends OmitType(CreateMailboxCommand, ['principal'] as const) {}
export class ListMailboxesQuery extends OmitType(ListMailboxesCommand, ['principal'] as const) {}
/** `{ address?, imap?: {...} | null }`: an IMAP password left out keeps the stored one; `imap: null` removes the settings. */
export class UpdateMailboxBody extends MailboxChanges {}

const Id = () => UuidParam('id');
const NEVER_SECRETS = 'The IMAP password and the inbound token hash are never answered.';

/** The organization's support addresses (DESIGN section 13), answered by the notification service. */
@ApiTags('administration')
@ApiBearerAuth()
@RequiredScope('admin')
@Controller('mailboxes')
export class MailboxesController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.OK, 'MailboxPage')
  @Get()
  @Roles('admin')
  @ApiOkResponse({ description: `A page of the organization's mailboxes, oldest first: \`{ items, nextCursor }\`. ${NEVER_SECRETS}` })
  list(@Caller() principal: Principal, @Query() query: ListMailboxesQuery): Promise<Page<MailboxView>> {
    return this.commands.request(subjects.mailboxes.list, { principal, ...query });
  }

  @Answers(HttpStatus.CREATED, 'MailboxWithTokenView')
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ description: `The mailbox with its \`inboundToken\`, shown only here and on rotation. 409 when the address belongs to a mailbox already (of any organization). ${NEVER_SECRETS}` })
  create(@Caller() principal: Principal, @Body() body: CreateMailboxBody): Promise<MailboxWithTokenView> {
    return this.commands.request(subjects.mailboxes.create, { principal, ...body });
  }

  @Answers(HttpStatus.OK, 'MailboxView')
  @Get(':id')
  @Roles('admin')
  @ApiOkResponse({ description: `The mailbox; 404 when it is not the organization's. ${NEVER_SECRETS}` })
  get(@Caller() principal: Principal, @Id() mailboxId: string): Promise<MailboxView> {
    return this.commands.request(subjects.mailboxes.get, { principal, mailboxId });
  }

  @Answers(HttpStatus.OK, 'MailboxView')
  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ description: `The changed mailbox; 409 when the new address belongs to another mailbox. ${NEVER_SECRETS}` })
  update(@Caller() principal: Principal, @Id() mailboxId: string, @Body() changes: UpdateMailboxBody): Promise<MailboxView> {
    return this.commands.request(subjects.mailboxes.update, { principal, mailboxId, changes });
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted, with the record of the messages it received' })
  async delete(@Caller() principal: Principal, @Id() mailboxId: string): Promise<void> {
    await this.commands.request(subjects.mailboxes.delete, { principal, mailboxId });
  }

  @Answers(HttpStatus.OK, 'MailboxWithTokenView')
  @Post(':id/rotate-token')
  @Roles('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'The mailbox with a new `inboundToken`, shown only here; the previous token stops working at once' })
  rotateToken(@Caller() principal: Principal, @Id() mailboxId: string): Promise<MailboxWithTokenView> {
    return this.commands.request(subjects.mailboxes.rotateToken, { principal, mailboxId });
  }
}
