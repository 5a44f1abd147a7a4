import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthenticatedCommand, SignupCommand, subjects, UpdateOrganizationCommand } from '@helpdesk/contracts';
import { OrganizationsService } from './organizations.service.js';

class OrganizationQuery extends AuthenticatedCommand {}

@Controller()
export class OrganizationsController {
  constructor(@Inject(OrganizationsService) private readonly organizations: OrganizationsService) {}

  @MessagePattern(subjects.organizations.signup)
  signup(@Payload() command: SignupCommand) {
    return this.organizations.signup(command);
  }

  @MessagePattern(subjects.organizations.get)
  get(@Payload() command: OrganizationQuery) {
    return this.organizations.get(command.principal);
  }

  @MessagePattern(subjects.organizations.update)
  update(@Payload() command: UpdateOrganizationCommand) {
    return this.organizations.update(command);
  }
}
