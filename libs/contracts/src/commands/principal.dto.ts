import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { API_TOKEN_LIMITS } from '../api-tokens.js';
import { NATS_INTEGRATION_LIMITS } from '../nats-integrations.js';
import { ROLES, type ApiTokenActor, type IntegrationActor, type Principal, type Role } from '../principal.js';

export class ApiTokenActorDto implements ApiTokenActor {
  @IsUUID()
  id!: string;

  @Length(1, API_TOKEN_LIMITS.name)
  @IsString()
  name!: string;
}

export class IntegrationActorDto implements IntegrationActor {
  @IsUUID()
  id!: string;

  @Length(1, NATS_INTEGRATION_LIMITS.name)
  @IsString()
  name!: string;
}

export class PrincipalDto implements Principal {
  @IsUUID()
  orgId!: string;

  @IsUUID()
  userId!: string;

  @IsIn(ROLES)
  role!: Role;

  @IsOptional()
  @ValidateNested()
  @Type(() => ApiTokenActorDto)
  apiToken?: ApiTokenActorDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => IntegrationActorDto)
  integration?: IntegrationActorDto;
}

/** Every command on behalf of a user carries the principal the gateway took from a verified token. */
export abstract class AuthenticatedCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => PrincipalDto)
  principal!: PrincipalDto;
}
