import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Inject, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { subjects, type CannedResponseView, type DeletedReply, type MacroPreview, type MacroView, type Page, type Principal, type RenderedCannedResponse, type TicketView } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { etagOf, versionFromIfMatch } from '../tickets/if-match.js';
import { ApplyMacroQuery, CreateCannedResponseBody, CreateMacroBody, ListCannedResponsesQuery, ListMacrosQuery, UpdateCannedResponseBody, UpdateMacroBody } from './macros.dto.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const Id = () => UuidParam('id');
const NOT_FOUND = "Unknown, another organization's, or (for an agent) a team's the agent is not in";
const REFUSED = 'The problem named: an unknown action type or property, a bad status or priority, an assignee who is not active staff of the organization, a team of another organization, an unknown placeholder, a custom field (fields.<key>) the organization does not have or a value its type refuses';

/** Macros and canned responses (DESIGN section 14): read by staff, written by admins, applied to tickets by staff. */
@ApiTags('macros')
@ApiBearerAuth()
@Controller()
export class MacrosController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'MacroPage')
  @Get('macros')
  @Roles('admin', 'agent')
  @ApiOkResponse({ description: "`{ items: MacroView[], nextCursor }` by name: admins see all; agents the organization's and their teams'" })
  list(@Caller() principal: Principal, @Query() query: ListMacrosQuery): Promise<Page<MacroView>> {
    return this.commands.request(subjects.macros.list, { principal, ...query });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'MacroView')
  @Get('macros/:id')
  @Roles('admin', 'agent')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@Caller() principal: Principal, @Id() macroId: string): Promise<MacroView> {
    return this.commands.request(subjects.macros.get, { principal, macroId });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.CREATED, 'MacroView')
  @Post('macros')
  @Roles('admin')
  @ApiCreatedResponse({ description: 'The macro: `{ name, actions, teamId? }`' })
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiConflictResponse({ description: 'A macro of that name exists, or the organization has 500' })
  @ApiForbiddenResponse({ description: 'Only admins write macros' })
  create(@Caller() principal: Principal, @Body() body: CreateMacroBody): Promise<MacroView> {
    return this.commands.request(subjects.macros.create, { principal, ...body });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'MacroView')
  @Patch('macros/:id')
  @Roles('admin')
  @ApiBadRequestResponse({ description: REFUSED })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(@Caller() principal: Principal, @Id() macroId: string, @Body() changes: UpdateMacroBody): Promise<MacroView> {
    return this.commands.request(subjects.macros.update, { principal, macroId, changes });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'DeletedReply')
  @Delete('macros/:id')
  @Roles('admin')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  delete(@Caller() principal: Principal, @Id() macroId: string): Promise<DeletedReply> {
    return this.commands.request(subjects.macros.delete, { principal, macroId });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.OK, 'MacroApplication')
  @Post('tickets/:id/macros/:macroId')
  @Roles('admin', 'agent')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    description:
      'The updated ticket: the comment and changes applied in one step, one history entry `macro.applied` naming the macro. ' +
      'With `?preview=true`: `{ ticket, comments }` as applying would leave them, nothing saved. `If-Match: <version>` optional',
  })
  @ApiBadRequestResponse({ description: 'The macro names an assignee or team no longer valid, or would leave more than 20 tags' })
  @ApiConflictResponse({ description: 'If-Match is stale, or the macro comments on a closed ticket' })
  @ApiNotFoundResponse({ description: "Unknown or another organization's ticket or macro, or a team's macro the agent does not see" })
  async apply(
    @Caller() principal: Principal,
    @Id() ticketId: string,
    @UuidParam('macroId') macroId: string,
    @Query() query: ApplyMacroQuery,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TicketView | MacroPreview> {
    const result = await this.commands.request<TicketView | MacroPreview>(subjects.macros.apply, { principal, ticketId, macroId, preview: query.preview ?? false, expectedVersion: versionFromIfMatch(ifMatch) });
    if (!query.preview) void reply.header('ETag', etagOf((result as TicketView).version));
    return result;
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'CannedResponsePage')
  @Get('canned-responses')
  @Roles('admin', 'agent')
  @ApiOkResponse({ description: '`{ items: CannedResponseView[], nextCursor }` by name; `q` searches name and body, case-insensitive' })
  listCannedResponses(@Caller() principal: Principal, @Query() query: ListCannedResponsesQuery): Promise<Page<CannedResponseView>> {
    return this.commands.request(subjects.cannedResponses.list, { principal, ...query });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'CannedResponseView')
  @Get('canned-responses/:id')
  @Roles('admin', 'agent')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  getCannedResponse(@Caller() principal: Principal, @Id() cannedResponseId: string): Promise<CannedResponseView> {
    return this.commands.request(subjects.cannedResponses.get, { principal, cannedResponseId });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.CREATED, 'CannedResponseView')
  @Post('canned-responses')
  @Roles('admin')
  @ApiCreatedResponse({ description: 'The canned response: `{ name, body, teamId? }`, the body sanitized HTML with placeholders' })
  @ApiBadRequestResponse({ description: 'An unknown placeholder, an empty body, a team of another organization' })
  @ApiConflictResponse({ description: 'A canned response of that name exists, or the organization has 500' })
  createCannedResponse(@Caller() principal: Principal, @Body() body: CreateCannedResponseBody): Promise<CannedResponseView> {
    return this.commands.request(subjects.cannedResponses.create, { principal, ...body });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'CannedResponseView')
  @Patch('canned-responses/:id')
  @Roles('admin')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  updateCannedResponse(@Caller() principal: Principal, @Id() cannedResponseId: string, @Body() changes: UpdateCannedResponseBody): Promise<CannedResponseView> {
    return this.commands.request(subjects.cannedResponses.update, { principal, cannedResponseId, changes });
  }

  @RequiredScope('admin')
  @Answers(HttpStatus.OK, 'DeletedReply')
  @Delete('canned-responses/:id')
  @Roles('admin')
  @ApiNotFoundResponse({ description: NOT_FOUND })
  deleteCannedResponse(@Caller() principal: Principal, @Id() cannedResponseId: string): Promise<DeletedReply> {
    return this.commands.request(subjects.cannedResponses.delete, { principal, cannedResponseId });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'RenderedCannedResponse')
  @Get('tickets/:id/canned-responses/:cannedResponseId')
  @Roles('admin', 'agent')
  @ApiOkResponse({ description: '`{ id, name, body }`: the body with its placeholders filled in for this ticket (values HTML-escaped), ready for the composer' })
  @ApiNotFoundResponse({ description: "Unknown or another organization's ticket or canned response" })
  renderCannedResponse(@Caller() principal: Principal, @Id() ticketId: string, @UuidParam('cannedResponseId') cannedResponseId: string): Promise<RenderedCannedResponse> {
    return this.commands.request(subjects.cannedResponses.render, { principal, ticketId, cannedResponseId });
  }
}
