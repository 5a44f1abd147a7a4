import { OmitType } from '@nestjs/swagger';
import {
  CreateSlaPolicyCommand,
  CreateTeamCommand,
  InviteUserCommand,
  ListSlaPoliciesCommand,
  ListTeamsCommand,
  ListUsersCommand,
  OrganizationChanges,
  SetTeamMembersCommand,
  SlaPolicyChanges,
  UpdateTeamCommand,
  UserChanges,
} from '@helpdesk/contracts';

export class ListUsersQuery extends OmitType(ListUsersCommand, ['principal'] as const) {}
export class InviteUserBody extends OmitType(InviteUserCommand, ['principal'] as const) {}
export class UpdateUserBody extends UserChanges {}
/** `?limit=&cursor=`. */
export class ListTeamsQuery extends OmitType(ListTeamsCommand, ['principal'] as const) {}
export class CreateTeamBody extends OmitType(CreateTeamCommand, ['principal'] as const) {}
export class UpdateTeamBody extends OmitType(UpdateTeamCommand, ['principal', 'teamId'] as const) {}
export class SetTeamMembersBody extends OmitType(SetTeamMembersCommand, ['principal', 'teamId'] as const) {}
export class UpdateOrganizationBody extends OrganizationChanges {}
export class ListSlaPoliciesQuery extends OmitType(ListSlaPoliciesCommand, ['principal'] as const) {}
export class CreateSlaPolicyBody extends OmitType(CreateSlaPolicyCommand, ['principal'] as const) {}
export class UpdateSlaPolicyBody extends SlaPolicyChanges {}
