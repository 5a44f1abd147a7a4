import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InviteUserCommand, ListUsersCommand, subjects, UpdateUserCommand, UserRefCommand } from '@helpdesk/contracts';
import { BouncingAddresses } from '../users/bouncing-addresses.js';
import { UsersService } from './users.service.js';

@Controller()
export class UsersController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(BouncingAddresses) private readonly bouncing: BouncingAddresses,
  ) {}

  @MessagePattern(subjects.users.list)
  list(@Payload() command: ListUsersCommand) {
    return this.users.list(command);
  }

  @MessagePattern(subjects.users.get)
  get(@Payload() command: UserRefCommand) {
    return this.users.get(command);
  }

  @MessagePattern(subjects.users.invite)
  invite(@Payload() command: InviteUserCommand) {
    return this.users.invite(command);
  }

  @MessagePattern(subjects.users.update)
  update(@Payload() command: UpdateUserCommand) {
    return this.users.update(command);
  }

  @MessagePattern(subjects.users.resendInvitation)
  resendInvitation(@Payload() command: UserRefCommand) {
    return this.users.resendInvitation(command);
  }

  @MessagePattern(subjects.users.clearBounce)
  clearBounce(@Payload() command: UserRefCommand) {
    return this.bouncing.clear(command);
  }

  @MessagePattern(subjects.users.deactivate)
  deactivate(@Payload() command: UserRefCommand) {
    return this.users.deactivate(command);
  }
}
