import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Inject, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { subjects, type BulkTicketResult, type CommentView, type Page, type Principal, type TicketHistoryEntry, type TicketFollowerView, type TicketLinkView, type TicketParticipantView, type TicketView } from '@helpdesk/contracts';
import { CommandClient, CommandError } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import { Caller, Roles } from '../auth/caller.js';
import { etagOf, versionFromIfMatch } from './if-match.js';
import { AddParticipantBody, AddTicketLinkBody, BulkUpdateTicketsBody, CreateCommentBody, CreateTicketBody, ListTicketsQuery, MergeTicketBody, PageQuery, UpdateTicketBody } from './tickets.dto.js';
import { UuidParam } from '../http/uuid-param.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const TicketId = () => UuidParam('id');
const BULK_UPDATE_TIMEOUT_MS = 30_000;
const UserId = () => UuidParam('userId');
const TargetId = () => UuidParam('targetId');

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('tickets')
export class TicketsController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.CREATED, 'TicketView')
  @Post()
  create(@Caller() principal: Principal, @Body() body: CreateTicketBody): Promise<TicketView> {
    return this.commands.request(subjects.tickets.create, { principal, ...body });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'TicketPage')
  @Get()
  @ApiOkResponse({
    description:
      'Staff also filter by custom fields with `field.<key>=<value>` (exact match; a multiselect contains the value; numbers, dates as YYYY-MM-DD and checkboxes as true/false are parsed by the field type) ' +
      'and sort by one with `sort=field.<key>` or `sort=-field.<key>` (tickets without a value last when ascending). An unknown key is a 400 naming it. ' +
      '`assigneeId=me` is the caller. `view=<id>` lists a view (staff; 404 for another agent\'s personal view): its filters and sort, each replaced by the same parameter given explicitly',
  })
  list(@Caller() principal: Principal, @Query() query: ListTicketsQuery): Promise<Page<TicketView>> {
    return this.commands.request(subjects.tickets.list, { principal, ...query });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.OK, 'BulkTicketUpdateReply')
  @Patch()
  @Roles('admin', 'agent')
  @ApiOkResponse({
    description:
      '`{ results: [{ id, status, ticket?, message? }] }`, one per id in the order given: each ticket changed as `PATCH /tickets/:id` would (audited, evented), ' +
      '200 with the ticket, or 404 (unknown or another organization\'s), 409 (a parent with open children), 422 or 400 with the reason. `changes`: status, priority, assigneeId, teamId, addTags, removeTags',
  })
  @ApiBadRequestResponse({ description: 'No ids, more than 100, a repeated id, or no change named' })
  bulkUpdate(@Caller() principal: Principal, @Body() body: BulkUpdateTicketsBody): Promise<{ results: BulkTicketResult[] }> {
    // Up to 100 tickets' transactions in one command: more than a single command's time.
    return this.commands.request(subjects.tickets.bulkUpdate, { principal, ...body }, { timeoutMs: BULK_UPDATE_TIMEOUT_MS });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'TicketView')
  @Get(':id')
  async get(@Caller() principal: Principal, @TicketId() ticketId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<TicketView> {
    const ticket = await this.commands.request<TicketView>(subjects.tickets.get, { principal, ticketId });
    void reply.header('ETag', etagOf(ticket.version));
    return ticket;
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.OK, 'TicketView')
  @Patch(':id')
  @Roles('admin', 'agent')
  @ApiConflictResponse({ description: 'If-Match names an older version than the current one (`details.currentVersion`)' })
  async update(
    @Caller() principal: Principal,
    @TicketId() ticketId: string,
    @Body() changes: UpdateTicketBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TicketView> {
    const ticket = await this.commands.request<TicketView>(subjects.tickets.update, { principal, ticketId, changes, expectedVersion: versionFromIfMatch(ifMatch) });
    void reply.header('ETag', etagOf(ticket.version));
    return ticket;
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'CommentPage')
  @Get(':id/comments')
  comments(@Caller() principal: Principal, @TicketId() ticketId: string, @Query() query: PageQuery): Promise<Page<CommentView>> {
    return this.commands.request(subjects.comments.list, { principal, ticketId, ...query });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.CREATED, 'CommentView')
  @Post(':id/comments')
  @HttpCode(HttpStatus.CREATED)
  comment(@Caller() principal: Principal, @TicketId() ticketId: string, @Body() body: CreateCommentBody): Promise<CommentView> {
    return this.commands.request(subjects.comments.create, { principal, ticketId, ...body });
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'TicketHistoryPage')
  @Get(':id/events')
  @Roles('admin', 'agent')
  history(@Caller() principal: Principal, @TicketId() ticketId: string, @Query() query: PageQuery): Promise<Page<TicketHistoryEntry>> {
    return this.commands.request(subjects.tickets.history, { principal, ticketId, ...query });
  }

  @RequiredScope('tickets:read')
  @Answers(
    HttpStatus.OK,
    'TicketParticipantPage',
    "A page (`{ items, nextCursor }`, `?limit=`, `?cursor=`) of the people copied on the ticket (Cc'd on its mails or added by staff), who receive its public replies; oldest first. " +
      'Staff see any ticket of the organization and `bouncingSince`; a customer sees those of their own tickets, without it',
  )
  @Get(':id/participants')
  @ApiNotFoundResponse({ description: "Unknown ticket, another organization's, or (for a customer) not theirs" })
  participants(@Caller() principal: Principal, @TicketId() ticketId: string, @Query() query: PageQuery): Promise<Page<TicketParticipantView>> {
    return this.commands.request(subjects.tickets.participants, { principal, ticketId, ...query });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.CREATED, 'TicketParticipantView')
  @Post(':id/participants')
  @Roles('admin', 'agent')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({ description: 'The participant: `{ email, name? }` copies that person (an unknown address becomes a customer without a password); recorded in the history as `participant.added`' })
  @ApiBadRequestResponse({ description: "Not an email address, a staff member's, a deactivated account's, or one of the organization's own mailboxes" })
  @ApiConflictResponse({ description: 'Already a participant, the requester, or the ticket already has 100 participants' })
  @ApiForbiddenResponse({ description: 'Customers cannot change who is copied' })
  @ApiNotFoundResponse({ description: "Unknown ticket, or another organization's" })
  async addParticipant(@Caller() principal: Principal, @TicketId() ticketId: string, @Body() body: AddParticipantBody): Promise<TicketParticipantView> {
    // Copying the desk's own address would mail its replies back to it: the mailboxes are the notification service's.
    const { own } = await this.commands.request<{ own: boolean }>(subjects.mailboxes.ownsAddress, { principal, email: body.email });
    if (own) throw new CommandError('VALIDATION', `${body.email} is one of the help desk's own addresses: copying it would mail the desk its own replies`);
    return this.commands.request(subjects.tickets.addParticipant, { principal, ticketId, ...body });
  }

  @RequiredScope('tickets:write')
  @Delete(':id/participants/:userId')
  @Roles('admin', 'agent')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'No longer copied (recorded in the history as `participant.removed`); the customer account stays' })
  @ApiNotFoundResponse({ description: "Unknown ticket, another organization's, or that user is not a participant" })
  async removeParticipant(@Caller() principal: Principal, @TicketId() ticketId: string, @UserId() userId: string): Promise<void> {
    await this.commands.request(subjects.tickets.removeParticipant, { principal, ticketId, userId });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.OK, 'TicketView')
  @Post(':id/merge')
  @Roles('admin', 'agent')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    description:
      'The target ticket: the source\'s opening message, comments and attachments moved onto it (authors and times kept), its requester and participants copied on it; ' +
      'the source closed with a `merged_into` link, both histories written, the source\'s requester mailed once',
  })
  @ApiNotFoundResponse({ description: "Unknown ticket or target, or another organization's" })
  @ApiConflictResponse({ description: 'The source is closed or already merged, the target is closed or merged, or the source has open child tickets' })
  @ApiUnprocessableEntityResponse({ description: 'Merging a ticket into itself' })
  merge(@Caller() principal: Principal, @TicketId() ticketId: string, @Body() body: MergeTicketBody): Promise<TicketView> {
    return this.commands.request(subjects.tickets.merge, { principal, ticketId, ...body });
  }

  @RequiredScope('tickets:read')
  @Answers(
    HttpStatus.OK,
    'TicketLinkPage',
    'A page (`{ items, nextCursor }`, `?limit=`, `?cursor=`) of the linked tickets, each with what it is to this one (`related`, `parent`, `child`, `merged_into`, `merged_from`) and its status; oldest first',
  )
  @Get(':id/links')
  @Roles('admin', 'agent')
  @ApiNotFoundResponse({ description: "Unknown ticket, or another organization's" })
  links(@Caller() principal: Principal, @TicketId() ticketId: string, @Query() query: PageQuery): Promise<Page<TicketLinkView>> {
    return this.commands.request(subjects.tickets.links, { principal, ticketId, ...query });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.CREATED, 'TicketLinkView')
  @Post(':id/links')
  @Roles('admin', 'agent')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({ description: '`{ targetId, kind }`, kind being what the target is to this ticket (`related`, `parent` or `child`); answers the link as this ticket sees it' })
  @ApiNotFoundResponse({ description: "Unknown ticket or target, or another organization's" })
  @ApiConflictResponse({ description: 'The two tickets are already linked, or a finished parent would get an open child' })
  @ApiUnprocessableEntityResponse({ description: 'A link to itself, or a parent/child cycle' })
  addLink(@Caller() principal: Principal, @TicketId() ticketId: string, @Body() body: AddTicketLinkBody): Promise<TicketLinkView> {
    return this.commands.request(subjects.tickets.addLink, { principal, ticketId, ...body });
  }

  @RequiredScope('tickets:write')
  @Delete(':id/links/:targetId')
  @Roles('admin', 'agent')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Unlinked, from both sides' })
  @ApiNotFoundResponse({ description: "Unknown ticket, another organization's, or the two are not linked" })
  @ApiConflictResponse({ description: 'A merge link cannot be removed' })
  async removeLink(@Caller() principal: Principal, @TicketId() ticketId: string, @TargetId() targetId: string): Promise<void> {
    await this.commands.request(subjects.tickets.removeLink, { principal, ticketId, targetId });
  }

  // No @Roles on the followers routes: the ticket service answers 404 before 403, so a customer learns nothing of tickets not theirs.
  @RequiredScope('tickets:read')
  @Answers(
    HttpStatus.OK,
    'TicketFollowerPage',
    'A page (`{ items, nextCursor }`, `?limit=`, `?cursor=`) of the staff following the ticket (`userId`, `name`, `followedAt`), who hear of its comments and status changes by mail; oldest first',
  )
  @Get(':id/followers')
  @ApiForbiddenResponse({ description: 'Customers do not see who follows a ticket' })
  @ApiNotFoundResponse({ description: "Unknown ticket, another organization's, or (for a customer) not theirs" })
  followers(@Caller() principal: Principal, @TicketId() ticketId: string, @Query() query: PageQuery): Promise<Page<TicketFollowerView>> {
    return this.commands.request(subjects.tickets.followers, { principal, ticketId, ...query });
  }

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.CREATED, 'TicketFollowerView')
  @Post(':id/followers')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({ description: 'The calling agent or admin now follows the ticket: the new `TicketFollowerView`, recorded in the history as `follower.added`' })
  @ApiConflictResponse({ description: 'The caller already follows the ticket' })
  @ApiForbiddenResponse({ description: 'Customers cannot follow tickets' })
  @ApiNotFoundResponse({ description: "Unknown ticket, another organization's, or (for a customer) not theirs" })
  follow(@Caller() principal: Principal, @TicketId() ticketId: string): Promise<TicketFollowerView> {
    return this.commands.request(subjects.tickets.follow, { principal, ticketId });
  }

  @RequiredScope('tickets:write')
  @Delete(':id/followers/me')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The caller no longer follows the ticket (recorded in the history as `follower.removed`)' })
  @ApiForbiddenResponse({ description: 'Customers cannot follow tickets' })
  @ApiNotFoundResponse({ description: "Unknown ticket, another organization's, or the caller does not follow it" })
  async unfollow(@Caller() principal: Principal, @TicketId() ticketId: string): Promise<void> {
    await this.commands.request(subjects.tickets.unfollow, { principal, ticketId });
  }
}
