import { ApiProperty, OmitType } from '@nestjs/swagger';
import { API_TOKEN_SCOPES, CreateApiTokenCommand, ListApiTokensCommand, type ApiTokenScope, type CreatedApiTokenView } from '@helpdesk/contracts';

/** `{ name, scopes, expiresAt? }`. */
export class CreateApiTokenBody extends OmitType(CreateApiTokenCommand, ['principal'] as const) {}
/** `?limit=&cursor=`. */
export class ListApiTokensQuery extends OmitType(ListApiTokensCommand, ['principal'] as const) {}

/** Response schema: documentation only (the ticket service builds the answer). */
export class CreatedApiTokenResponse implements CreatedApiTokenView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true }) scopes!: ApiTokenScope[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`. Shown only in this answer: only its hash is stored', example: 'hdp_…' }) token!: string;
}
