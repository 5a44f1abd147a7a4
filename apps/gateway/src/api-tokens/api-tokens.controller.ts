import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { CommandClient } from '@helpdesk/common';
import { subjects, type ApiTokenView, type CreatedApiTokenView, type Page, type Principal } from '@helpdesk/contracts';
import { RequiredScope } from '../auth/api-token-scopes.js';
import { Caller, Roles } from '../auth/caller.js';
import { UuidParam } from '../http/uuid-param.js';
import { CreateApiTokenBody, CreatedApiTokenResponse, ListApiTokensQuery } from './api-tokens.dto.js';
import { Answers } from '../http/api-responses.js';

/** API tokens for scripts and integrations (DESIGN section 16): admins manage them, answered by the ticket service. */
@ApiTags('administration')
@ApiBearerAuth()
@Roles('admin')
@RequiredScope('admin')
@Controller('api-tokens')
export class ApiTokensController {
  constructor(@Inject(CommandClient) private readonly commands: CommandClient) {}

  @Answers(HttpStatus.CREATED, 'CreatedApiTokenView')
  @Post()
  @ApiCreatedResponse({ type: CreatedApiTokenResponse, description: 'The token, with its secret `token` shown this once' })
  @ApiBadRequestResponse({ description: 'A name not of 1 to 100 characters, an unknown scope (named), no scope, or an expiresAt in the past' })
  @ApiForbiddenResponse({ description: 'Only admins (or a token with the admin scope) manage tokens' })
  create(@Caller() principal: Principal, @Body() body: CreateApiTokenBody): Promise<CreatedApiTokenView> {
    return this.commands.request(subjects.apiTokens.create, { principal, ...body });
  }

  @Answers(HttpStatus.OK, 'ApiTokenPage', 'A page of the tokens not revoked, newest first: `{ items, nextCursor }`; never their secret nor its hash')
  @Get()
  list(@Caller() principal: Principal, @Query() query: ListApiTokensQuery): Promise<Page<ApiTokenView>> {
    return this.commands.request(subjects.apiTokens.list, { principal, ...query });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Revoked: every gateway refuses the token from now on' })
  @ApiNotFoundResponse({ description: "Unknown or already revoked token, or another organization's" })
  async revoke(@Caller() principal: Principal, @UuidParam('id') tokenId: string): Promise<void> {
    await this.commands.request(subjects.apiTokens.revoke, { principal, tokenId });
  }
}
