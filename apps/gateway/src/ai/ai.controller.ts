import { Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandClient } from '@helpdesk/common';
import { AI_COMMAND_TIMEOUT_MS, subjects, type AiSuggestedReply, type AiSummary, type Principal } from '@helpdesk/contracts';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Answers } from '../http/api-responses.js';

const TicketId = () => UuidParam('id');

/** AI assistance for agents, answered by the ai-proxy service, which reads the ticket with the caller's own rights. */
@ApiTags('ai')
@ApiBearerAuth()
@Roles('admin', 'agent')
@RequiredScope('tickets:read')
@Controller('tickets/:id/ai')
export class AiController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.OK, 'AiSummary')
  @Post('summary')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Summarize a ticket and its conversation, internal notes included (staff only)' })
  @ApiOkResponse({ description: '`{ summary, provider, model }`. 429 (QUOTA_EXCEEDED) when the part of the daily AI token budget kept for agents has no room left for the request; 413 when the subject and description of the ticket alone exceed the per-request token cap; 503 or 504 when the model provider fails or is too slow' })
  summary(@Caller() principal: Principal, @TicketId() ticketId: string): Promise<AiSummary> {
    return this.commands.request(subjects.ai.summarize, { principal, ticketId }, { timeoutMs: AI_COMMAND_TIMEOUT_MS });
  }

  @Answers(HttpStatus.OK, 'AiSuggestedReply')
  @Post('suggest-reply')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Draft a reply to the requester's latest message, in their language; internal notes are never used (staff only)" })
  @ApiOkResponse({ description: '`{ reply, language, provider, model }`. 429 (QUOTA_EXCEEDED) when the part of the daily AI token budget kept for agents has no room left for the request; 413 when the subject and description of the ticket alone exceed the per-request token cap; 503 or 504 when the model provider fails or is too slow' })
  suggestReply(@Caller() principal: Principal, @TicketId() ticketId: string): Promise<AiSuggestedReply> {
    return this.commands.request(subjects.ai.suggestReply, { principal, ticketId }, { timeoutMs: AI_COMMAND_TIMEOUT_MS });
  }
}
