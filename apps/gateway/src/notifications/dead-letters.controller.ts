import { Body, Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, OmitType } from '@nestjs/swagger';
import { CommandClient } from '@helpdesk/common';
import { ReplayDeadLettersCommand, subjects, type Principal, type ReplayDeadLettersReply } from '@helpdesk/contracts';
import { Caller, Roles } from '../auth/caller.js';

/** `{ deliveryIds? }`: the dead mails to send again, or all of the organization's when absent. */
export class ReplayDeadLettersBody extends OmitType(ReplayDeadLettersCommand, ['principal'] as const) {}

/** Mail that the notification service gave up on (permanent SMTP failure, or retries exhausted). */
@ApiTags('administration')
@ApiBearerAuth()
@Controller('admin/notifications')
export class DeadLettersController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Post('dead-letters/replay')
  @Roles('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: "The ids of the organization's dead deliveries queued again; ids that were not dead are left out" })
  replay(@Caller() principal: Principal, @Body() body: ReplayDeadLettersBody): Promise<ReplayDeadLettersReply> {
    return this.commands.request(subjects.notifications.replayDeadLetters, { principal, ...body });
  }
}
