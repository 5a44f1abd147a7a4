import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ApiTokenRefCommand, CreateApiTokenCommand, ListApiTokensCommand, subjects, VerifyApiTokenCommand } from '@helpdesk/contracts';
import { ApiTokensService } from './api-tokens.service.js';

@Controller()
export class ApiTokensController {
  constructor(@Inject(ApiTokensService) private readonly tokens: ApiTokensService) {}

  @MessagePattern(subjects.apiTokens.create)
  create(@Payload() command: CreateApiTokenCommand) {
    return this.tokens.create(command);
  }

  @MessagePattern(subjects.apiTokens.list)
  list(@Payload() command: ListApiTokensCommand) {
    return this.tokens.list(command);
  }

  @MessagePattern(subjects.apiTokens.revoke)
  revoke(@Payload() command: ApiTokenRefCommand) {
    return this.tokens.revoke(command);
  }

  @MessagePattern(subjects.apiTokens.verify)
  verify(@Payload() command: VerifyApiTokenCommand) {
    return this.tokens.verify(command);
  }
}
