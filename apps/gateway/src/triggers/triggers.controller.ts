import { Body, Controller, Delete, Get, Inject, Patch, Post, Query, HttpStatus } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { subjects, type DeletedReply, type Page, type Principal, type TriggerView } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { CreateTriggerBody, ListTriggersQuery, UpdateTriggerBody } from './triggers.dto.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const Id = () => UuidParam('id');
const NOT_FOUND = "Unknown or another organization's trigger";
const REFUSED =
  'The problem named, by place (`all[1]`, `any[0]`, `actions[2]`): an unknown field, operator or value, an unknown custom field, an unknown action type or property, ' +
  'an assignee who is not active staff of the organization, a team of another organization, an unknown placeholder, a notify target that is neither assignee, team, requester nor an address';
const WEBHOOKS = 'A webhook action naming no webhook of the organization (`actions[i]: webhook <id> is not a webhook of this organization`); 503 when the notification service cannot check it';

/**
 * Triggers (DESIGN section 14): on an event about a ticket, when its conditions hold, the ticket
 * service applies the actions, in position order, at most once per event. Admins only.
 */
@ApiTags('triggers')
@ApiBearerAuth()
@RequiredScope('admin')
@Controller('triggers')
export class TriggersController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.OK, 'TriggerPage')
  @Get()
  @Roles('admin')
  @ApiOkResponse({ description: '`{ items: TriggerView[], nextCursor }` in firing order (position, then id)' })
  @ApiForbiddenResponse({ description: 'Only admins read triggers' })
  list(@Caller() principal: Principal, @Query() query: ListTriggersQuery): Promise<Page<TriggerView>> {
    return this.commands.request(subjects.triggers.list, { principal, ...query });
  }

  @Answers(HttpStatus.OK, 'TriggerView')
  @Get(':id')
  @Roles('admin')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@Caller() principal: Principal, @Id() triggerId: string): Promise<TriggerView> {
    return this.commands.request(subjects.triggers.get, { principal, triggerId });
  }

  @Answers(HttpStatus.CREATED, 'TriggerView')
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({
    description:
      'The trigger: `{ name, event: ticket.created|ticket.updated|comment.customer|comment.agent|ticket.sla.warning|ticket.sla.breached, all, any?, actions, position?, active? }`; ' +
      'position defaults to after the last trigger, active to true',
  })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiUnprocessableEntityResponse({ description: WEBHOOKS })
  @ApiConflictResponse({ description: 'A trigger of that name exists, or the organization has 200' })
  @ApiForbiddenResponse({ description: 'Only admins write triggers' })
  create(@Caller() principal: Principal, @Body() body: CreateTriggerBody): Promise<TriggerView> {
    return this.commands.request(subjects.triggers.create, { principal, ...body });
  }

  @Answers(HttpStatus.OK, 'TriggerView')
  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ description: 'The trigger, changed (reorder with `position`, switch on and off with `active`); its comments are signed by the admin who last changed it' })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiUnprocessableEntityResponse({ description: WEBHOOKS })
  @ApiConflictResponse({ description: 'A trigger of that name exists' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(@Caller() principal: Principal, @Id() triggerId: string, @Body() changes: UpdateTriggerBody): Promise<TriggerView> {
    return this.commands.request(subjects.triggers.update, { principal, triggerId, changes });
  }

  @Answers(HttpStatus.OK, 'DeletedReply')
  @Delete(':id')
  @Roles('admin')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  delete(@Caller() principal: Principal, @Id() triggerId: string): Promise<DeletedReply> {
    return this.commands.request(subjects.triggers.delete, { principal, triggerId });
  }
}
