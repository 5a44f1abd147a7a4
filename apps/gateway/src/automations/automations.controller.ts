import { Body, Controller, Delete, Get, Inject, Patch, Post, Query, HttpStatus } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { subjects, type AutomationPreviewItem, type AutomationView, type DeletedReply, type Page, type Principal } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { CreateAutomationBody, ListAutomationsQuery, PreviewAutomationQuery, UpdateAutomationBody } from './automations.dto.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const Id = () => UuidParam('id');
const NOT_FOUND = "Unknown or another organization's automation";
const WEBHOOKS = 'A webhook action naming no webhook of the organization (`actions[i]: webhook <id> is not a webhook of this organization`); 503 when the notification service cannot check it';
const REFUSED =
  'The problem named by place: a condition (`all[i]`/`any[i]`: unknown field, an op the field does not take, a value of the wrong type, an unknown custom field), ' +
  'no hoursSince condition in `all`, or an action (`actions[i]`)';

/** Automations (DESIGN section 14): time-based rules, written and read by admins, run every minute by one scheduler. */
@ApiTags('automations')
@ApiBearerAuth()
@RequiredScope('admin')
@Controller('automations')
export class AutomationsController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.OK, 'AutomationPage')
  @Get()
  @Roles('admin')
  @ApiOkResponse({ description: '`{ items: AutomationView[], nextCursor }` by name' })
  @ApiForbiddenResponse({ description: 'Only admins manage automations' })
  list(@Caller() principal: Principal, @Query() query: ListAutomationsQuery): Promise<Page<AutomationView>> {
    return this.commands.request(subjects.automations.list, { principal, ...query });
  }

  @Answers(HttpStatus.OK, 'AutomationView')
  @Get(':id')
  @Roles('admin')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@Caller() principal: Principal, @Id() automationId: string): Promise<AutomationView> {
    return this.commands.request(subjects.automations.get, { principal, automationId });
  }

  @Answers(HttpStatus.CREATED, 'AutomationView')
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ description: 'The automation: `{ name, all, any?, actions, active? }`; `all` holds at least one hoursSince condition' })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiUnprocessableEntityResponse({ description: WEBHOOKS })
  @ApiConflictResponse({ description: 'An automation of that name exists, or the organization has 100' })
  @ApiForbiddenResponse({ description: 'Only admins write automations' })
  create(@Caller() principal: Principal, @Body() body: CreateAutomationBody): Promise<AutomationView> {
    return this.commands.request(subjects.automations.create, { principal, ...body });
  }

  @Answers(HttpStatus.OK, 'AutomationView')
  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ description: 'The automation after the change (`active: false` stops it from running; its preview still works)' })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiUnprocessableEntityResponse({ description: WEBHOOKS })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(@Caller() principal: Principal, @Id() automationId: string, @Body() changes: UpdateAutomationBody): Promise<AutomationView> {
    return this.commands.request(subjects.automations.update, { principal, automationId, changes });
  }

  @Answers(HttpStatus.OK, 'DeletedReply')
  @Delete(':id')
  @Roles('admin')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  delete(@Caller() principal: Principal, @Id() automationId: string): Promise<DeletedReply> {
    return this.commands.request(subjects.automations.delete, { principal, automationId });
  }

  @Answers(HttpStatus.OK, 'AutomationPreviewPage')
  @Get(':id/preview')
  @Roles('admin')
  @ApiOkResponse({ description: 'The dry run: `{ items: [{ id, number, subject, status, priority, assigneeId, updatedAt }], nextCursor }`, the tickets the automation would act on now, by number; nothing changes' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  preview(@Caller() principal: Principal, @Id() automationId: string, @Query() query: PreviewAutomationQuery): Promise<Page<AutomationPreviewItem>> {
    return this.commands.request(subjects.automations.preview, { principal, automationId, ...query });
  }
}
