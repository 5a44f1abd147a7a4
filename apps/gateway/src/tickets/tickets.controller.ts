import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Inject, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { subjects, type CommentView, type Page, type Principal, type TicketHistoryEntry, type TicketView } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import type { FastifyReply } from 'fastify';
import { Caller, Roles } from '../auth/caller.js';
import { etagOf, versionFromIfMatch } from './if-match.js';
import { CreateCommentBody, CreateTicketBody, ListTicketsQuery, PageQuery, UpdateTicketBody } from './tickets.dto.js';
import { UuidParam } from '../http/uuid-param.js';

const TicketId = () => UuidParam('id');

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('tickets')
export class TicketsController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Post()
  create(@Caller() principal: Principal, @Body() body: CreateTicketBody): Promise<TicketView> {
    return this.commands.request(subjects.tickets.create, { principal, ...body });
  }

  @Get()
  list(@Caller() principal: Principal, @Query() query: ListTicketsQuery): Promise<Page<TicketView>> {
    return this.commands.request(subjects.tickets.list, { principal, ...query });
  }

  @Get(':id')
  async get(@Caller() principal: Principal, @TicketId() ticketId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<TicketView> {
    const ticket = await this.commands.request<TicketView>(subjects.tickets.get, { principal, ticketId });
    void reply.header('ETag', etagOf(ticket.version));
    return ticket;
  }

  @Patch(':id')
  @Roles('admin', 'agent')
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

  @Get(':id/comments')
  comments(@Caller() principal: Principal, @TicketId() ticketId: string, @Query() query: PageQuery): Promise<Page<CommentView>> {
    return this.commands.request(subjects.comments.list, { principal, ticketId, ...query });
  }

  @Post(':id/comments')
  @HttpCode(HttpStatus.CREATED)
  comment(@Caller() principal: Principal, @TicketId() ticketId: string, @Body() body: CreateCommentBody): Promise<CommentView> {
    return this.commands.request(subjects.comments.create, { principal, ticketId, ...body });
  }

  @Get(':id/events')
  @Roles('admin', 'agent')
  history(@Caller() principal: Principal, @TicketId() ticketId: string, @Query() query: PageQuery): Promise<Page<TicketHistoryEntry>> {
    return this.commands.request(subjects.tickets.history, { principal, ticketId, ...query });
  }
}
