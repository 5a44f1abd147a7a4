import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, OmitType } from '@nestjs/swagger';
import { CommandClient } from '@helpdesk/common';
import {
  ListDeadLettersCommand,
  ReplayDeadLettersCommand,
  subjects,
  type DeadLetterDetail,
  type DeadLetterSummary,
  type Page,
  type Principal,
  type ReplayDeadLettersReply,
} from '@helpdesk/contracts';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

/** `{ deliveryIds? }`: the dead mails to send again, or all of the organization's when absent. */
export class ReplayDeadLettersBody extends OmitType(ReplayDeadLettersCommand, ['principal'] as const) {}

/** `?limit=&cursor=`. */
export class ListDeadLettersQuery extends OmitType(ListDeadLettersCommand, ['principal'] as const) {}

const ADMINS_ONLY = 'The caller is not an admin (of this organization, now)';

/** Mail that the notification service gave up on (permanent SMTP failure, or retries exhausted). */
@ApiTags('administration')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: ADMINS_ONLY })
@RequiredScope('admin')
@Controller('admin/notifications')
export class DeadLettersController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.OK, 'DeadLetterPage')
  @Get('dead-letters')
  @Roles('admin')
  @ApiOkResponse({
    description: "`{ items, nextCursor }`: the organization's dead deliveries, the most recently given up first; each `{ id, template, recipient, subject, ticketId, attempts, lastError, failedAt }`",
  })
  list(@Caller() principal: Principal, @Query() query: ListDeadLettersQuery): Promise<Page<DeadLetterSummary>> {
    return this.commands.request(subjects.notifications.listDeadLetters, { principal, ...query });
  }

  @Answers(HttpStatus.OK, 'DeadLetterDetail')
  @Get('dead-letters/:id')
  @Roles('admin')
  @ApiOkResponse({
    description:
      'One dead delivery with its error history and its mail (`subject`, `text`, `html`) as stored; single-use account links are withheld and token-bearing links masked (`redacted: true` when anything was)',
  })
  @ApiNotFoundResponse({ description: "Unknown, another organization's, or no longer dead (replayed)" })
  get(@Caller() principal: Principal, @UuidParam('id') deliveryId: string): Promise<DeadLetterDetail> {
    return this.commands.request(subjects.notifications.getDeadLetter, { principal, deliveryId });
  }

  @Answers(HttpStatus.OK, 'ReplayDeadLettersReply')
  @Post('dead-letters/replay')
  @Roles('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: "The ids of the organization's dead deliveries queued again; ids that were not dead are left out" })
  replay(@Caller() principal: Principal, @Body() body: ReplayDeadLettersBody): Promise<ReplayDeadLettersReply> {
    return this.commands.request(subjects.notifications.replayDeadLetters, { principal, ...body });
  }
}
