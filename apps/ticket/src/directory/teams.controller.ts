import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateTeamCommand, ListTeamsCommand, SetTeamMembersCommand, subjects, TeamRefCommand, UpdateTeamCommand } from '@helpdesk/contracts';
import { TeamsService } from './teams.service.js';

@Controller()
export class TeamsController {
  constructor(@Inject(TeamsService) private readonly teams: TeamsService) {}

  @MessagePattern(subjects.teams.list)
  list(@Payload() command: ListTeamsCommand) {
    return this.teams.list(command);
  }

  @MessagePattern(subjects.teams.create)
  create(@Payload() command: CreateTeamCommand) {
    return this.teams.create(command);
  }

  @MessagePattern(subjects.teams.update)
  update(@Payload() command: UpdateTeamCommand) {
    return this.teams.update(command);
  }

  @MessagePattern(subjects.teams.delete)
  delete(@Payload() command: TeamRefCommand) {
    return this.teams.delete(command);
  }

  @MessagePattern(subjects.teams.setMembers)
  setMembers(@Payload() command: SetTeamMembersCommand) {
    return this.teams.setMembers(command);
  }
}
