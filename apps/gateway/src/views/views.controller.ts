import { Body, Controller, Delete, Get, Inject, Patch, Post, Query, HttpStatus } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { subjects, type DeletedReply, type Page, type Principal, type QueueView } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { CreateViewBody, ListViewsQuery, UpdateViewBody } from './views.dto.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const Id = () => UuidParam('id');
const NOT_FOUND = "Unknown, another organization's, or another agent's personal view";
const REFUSED =
  'The problem named, as GET /tickets names it: an unknown filter (`query.<name> should not exist`), a bad status, priority, id or sort, ' +
  'an unknown custom field (`field.<key> is not a custom field of this organization`) or a value of the wrong type';
const VIEW_SHAPE =
  '`{ id, name, shared, ownerId, query, sort, position, count, countCapped, createdAt, updatedAt }`: `count` is the number of tickets in the view for the caller now ' +
  '(`assigneeId: "me"` is the caller), exact up to 10,000 (`countCapped: true` above it)';

/** Views (DESIGN section 14): saved ticket filters with live counts; personal views are their owner's, shared views are read by staff and written by admins. */
@ApiTags('views')
@ApiBearerAuth()
@Controller('views')
export class ViewsController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'QueueViewPage')
  @Get()
  @Roles('admin', 'agent')
  @ApiOkResponse({ description: `\`{ items, nextCursor }\` by position: the organization's shared views and the caller's own, each ${VIEW_SHAPE}` })
  list(@Caller() principal: Principal, @Query() query: ListViewsQuery): Promise<Page<QueueView>> {
    return this.commands.request(subjects.views.list, { principal, ...query });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'QueueView')
  @Get(':id')
  @Roles('admin', 'agent')
  @ApiOkResponse({ description: `The view, ${VIEW_SHAPE}; its tickets are \`GET /tickets?view=<id>\`` })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@Caller() principal: Principal, @Id() viewId: string): Promise<QueueView> {
    return this.commands.request(subjects.views.get, { principal, viewId });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.CREATED, 'QueueView')
  @Post()
  @Roles('admin', 'agent')
  @ApiCreatedResponse({
    description: `\`{ name, shared?, query: { status?, priority?, assigneeId? (id, "none" or "me"), teamId?, tag?, requesterId?, breached?, q?, fields?: { <key>: value } }, sort?, position? }\` answers ${VIEW_SHAPE}`,
  })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiConflictResponse({ description: 'A view of that name exists (per owner, or among shared views), or the limit is reached (50 personal views per agent, 100 shared per organization)' })
  @ApiForbiddenResponse({ description: 'Only admins create shared views' })
  create(@Caller() principal: Principal, @Body() body: CreateViewBody): Promise<QueueView> {
    return this.commands.request(subjects.views.create, { principal, ...body });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.OK, 'QueueView')
  @Patch(':id')
  @Roles('admin', 'agent')
  @ApiOkResponse({ description: `Any of \`{ name, shared, query, sort, position }\`; answers ${VIEW_SHAPE}` })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiConflictResponse({ description: 'A view of that name exists, or the limit is reached' })
  @ApiForbiddenResponse({ description: 'Only admins change shared views, or share a view' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(@Caller() principal: Principal, @Id() viewId: string, @Body() changes: UpdateViewBody): Promise<QueueView> {
    return this.commands.request(subjects.views.update, { principal, viewId, changes });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.OK, 'DeletedReply')
  @Delete(':id')
  @Roles('admin', 'agent')
  @ApiOkResponse({ description: '`{ deleted: true }`' })
  @ApiForbiddenResponse({ description: 'Only admins delete shared views' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  delete(@Caller() principal: Principal, @Id() viewId: string): Promise<DeletedReply> {
    return this.commands.request(subjects.views.delete, { principal, viewId });
  }
}
