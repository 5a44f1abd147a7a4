import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsUUID, ValidateNested } from 'class-validator';
import { ROLES, type Principal, type Role } from '../principal.js';

export class PrincipalDto implements Principal {
  @IsUUID()
  orgId!: string;

  @IsUUID()
  userId!: string;

  @IsIn(ROLES)
  role!: Role;
}

/** Every command on behalf of a user carries the principal the gateway took from a verified token. */
export abstract class AuthenticatedCommand {
  @IsDefined()
  @ValidateNested()
  @Type(() => PrincipalDto)
  principal!: PrincipalDto;
}
