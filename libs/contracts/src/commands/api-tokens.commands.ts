import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { API_TOKEN_LIMITS, API_TOKEN_SCOPES, type ApiTokenScope } from '../api-tokens.js';
import { PageCursor, PageLimit } from './pagination.js';
import { AuthenticatedCommand } from './principal.dto.js';

const unknownScopes = ({ value }: { value: unknown }) => {
  const unknown = (Array.isArray(value) ? value : [value]).filter((scope) => !API_TOKEN_SCOPES.includes(scope as ApiTokenScope));
  return `unknown scope ${unknown.map((scope) => JSON.stringify(scope)).join(', ')}: scopes must be among ${API_TOKEN_SCOPES.join(', ')}`;
};

export class CreateApiTokenCommand extends AuthenticatedCommand {
  @Length(1, API_TOKEN_LIMITS.name)
  @IsString()
  name!: string;

  @IsIn(API_TOKEN_SCOPES, { each: true, message: unknownScopes })
  @ArrayMaxSize(API_TOKEN_SCOPES.length)
  @ArrayMinSize(1, { message: `scopes must name at least one of ${API_TOKEN_SCOPES.join(', ')}` })
  @IsArray()
  scopes!: ApiTokenScope[];

  /** ISO 8601, in the future; without it the token lasts until revoked. */
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

/** api-tokens.list: a page of the tokens not revoked, newest first (`Page<ApiTokenView>`). */
export class ListApiTokensCommand extends AuthenticatedCommand {
  @PageLimit()
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class ApiTokenRefCommand extends AuthenticatedCommand {
  @IsUUID()
  tokenId!: string;
}

/** Internal, from the gateway: no principal, the token is the credential. */
export class VerifyApiTokenCommand {
  @MaxLength(200)
  @IsString()
  token!: string;
}
