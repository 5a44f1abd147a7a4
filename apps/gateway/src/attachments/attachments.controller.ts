import { Controller, Get, HttpCode, HttpStatus, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { subjects, type AttachmentView, type Page, type Principal } from '@helpdesk/contracts';
import { CommandClient } from '@helpdesk/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Caller } from '../auth/caller.js';
import { AttachmentsService, COMMENT_FIELD, FILE_FIELD } from './attachments.service.js';
import { downloadHeaders } from './download-headers.js';
import { PageQuery } from '../tickets/tickets.dto.js';
import { UuidParam } from '../http/uuid-param.js';
import { UploadRateLimit } from './upload-rate-limit.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const PathId = () => UuidParam('id');

/** Whoever may see a ticket may attach files to it, list them and download them (the ticket service decides who that is). */
@ApiTags('attachments')
@ApiBearerAuth()
@Controller()
export class AttachmentsController {
  constructor(
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(AttachmentsService) private readonly attachments: AttachmentsService,
    @Inject(UploadRateLimit) private readonly uploadRateLimit: UploadRateLimit,
  ) {}

  @RequiredScope('tickets:write')
  @Answers(HttpStatus.CREATED, 'AttachmentView')
  @Post('tickets/:id/attachments')
  @HttpCode(HttpStatus.CREATED)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [FILE_FIELD],
      properties: { [FILE_FIELD]: { type: 'string', format: 'binary' }, [COMMENT_FIELD]: { type: 'string', format: 'uuid' } },
    },
  })
  async upload(@Caller() principal: Principal, @PathId() ticketId: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AttachmentView> {
    await this.uploadRateLimit.take(principal, reply);
    return this.attachments.upload(principal, ticketId, request);
  }

  @RequiredScope('tickets:read')
  @Answers(HttpStatus.OK, 'AttachmentPage')
  @Get('tickets/:id/attachments')
  list(@Caller() principal: Principal, @PathId() ticketId: string, @Query() query: PageQuery): Promise<Page<AttachmentView>> {
    return this.commands.request(subjects.attachments.list, { principal, ticketId, ...query });
  }

  /** Streamed from the bucket as stored, uncompressed, so Content-Length is the file's size. */
  @RequiredScope('tickets:read')
  @Get('attachments/:id')
  @RouteConfig({ compress: false })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: "The file's bytes as stored, with its own Content-Type and a Content-Disposition naming it",
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  async download(@Caller() principal: Principal, @PathId() attachmentId: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const { attachment, size, bytes } = await this.attachments.download(principal, attachmentId);
    return reply.headers(downloadHeaders(attachment.filename, attachment.contentType, size)).send(bytes);
  }
}
