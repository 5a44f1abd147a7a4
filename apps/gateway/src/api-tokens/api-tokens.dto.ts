import { ApiProperty, OmitType } from '@nestjs/swagger';
import { API_TOKEN_SCOPES, CreateApiTokenCommand, type ApiTokenScope, type ApiTokenView, type CreatedApiTokenView } from '@helpdesk/contracts';

/** `{ name, scopes, expiresAt? }`. */
export class CreateApiTokenBody extends OmitType(CreateApiTokenCommand, ['principal'] as const) {}

/** Response schemas: documentation only (the ticket service builds the answers). */
export class ApiTokenResponse implements ApiTokenView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true }) scopes!: ApiTokenScope[];
  @ApiProperty({ description: 'The first characters of the token, to recognise it by; not a secret', example: 'hdp_Xy3_q1' }) prefix!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The admin who created it; the token acts as them' }) createdBy!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Updated at most once a minute' }) lastUsedAt!: string | null;
}

export class CreatedApiTokenResponse implements CreatedApiTokenView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true }) scopes!: ApiTokenScope[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`. Shown only in this answer: only its hash is stored', example: 'hdp_…' }) token!: string;
}
