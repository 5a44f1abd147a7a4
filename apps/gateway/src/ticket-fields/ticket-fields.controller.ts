import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { subjects, type Page, type Principal, type TicketFieldView } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { CreateTicketFieldBody, ListTicketFieldsQuery, UpdateTicketFieldBody } from './ticket-fields.dto.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const FieldId = () => UuidParam('id');

/** Custom ticket fields (DESIGN section 14): admins manage them; agents read them; customers never see them. */
@ApiTags('ticket-fields')
@ApiBearerAuth()
@Controller('ticket-fields')
export class TicketFieldsController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'TicketFieldPage', 'A page of the fields in creation order: `{ items, nextCursor }` (`?limit=`, `?cursor=`); archived fields only with `includeArchived=true`')
  @Get()
  @Roles('admin', 'agent')
  list(@Caller() principal: Principal, @Query() query: ListTicketFieldsQuery): Promise<Page<TicketFieldView>> {
    return this.commands.request(subjects.ticketFields.list, { principal, ...query });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'TicketFieldView')
  @Get(':id')
  @Roles('admin', 'agent')
  @ApiNotFoundResponse({ description: "Unknown field, or another organization's" })
  get(@Caller() principal: Principal, @FieldId() fieldId: string): Promise<TicketFieldView> {
    return this.commands.request(subjects.ticketFields.get, { principal, fieldId });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.CREATED, 'TicketFieldView')
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ description: 'The field; tickets then carry its value under `fields.<key>`' })
  @ApiBadRequestResponse({ description: 'A key that is not a lowercase slug, an unknown type, a dropdown or multiselect without options or with repeated ones, options on another type' })
  @ApiConflictResponse({ description: 'The key is taken in this organization (archived fields keep theirs), or the organization has 100 fields' })
  @ApiForbiddenResponse({ description: 'Only admins define fields' })
  create(@Caller() principal: Principal, @Body() body: CreateTicketFieldBody): Promise<TicketFieldView> {
    return this.commands.request(subjects.ticketFields.create, { principal, ...body });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'TicketFieldView')
  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ description: 'The field: label, options, requiredToSolve, active (false archives, true restores)' })
  @ApiConflictResponse({ description: 'key and type cannot change: tickets, filters and rules refer to the key, and stored values have the type' })
  @ApiNotFoundResponse({ description: "Unknown field, or another organization's" })
  update(@Caller() principal: Principal, @FieldId() fieldId: string, @Body() changes: UpdateTicketFieldBody): Promise<TicketFieldView> {
    return this.commands.request(subjects.ticketFields.update, { principal, fieldId, changes });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'TicketFieldView')
  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'Archives the field and answers it: tickets keep their values and history; PATCH `{ "active": true }` restores it' })
  @ApiNotFoundResponse({ description: "Unknown field, or another organization's" })
  archive(@Caller() principal: Principal, @FieldId() fieldId: string): Promise<TicketFieldView> {
    return this.commands.request(subjects.ticketFields.archive, { principal, fieldId });
  }
}
