import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { subjects, UpdateOwnAccountCommand } from '@helpdesk/contracts';
import { OwnAccountService } from './own-account.service.js';

@Controller()
export class OwnAccountController {
  constructor(@Inject(OwnAccountService) private readonly ownAccount: OwnAccountService) {}

  @MessagePattern(subjects.users.updateOwnAccount)
  update(@Payload() command: UpdateOwnAccountCommand) {
    return this.ownAccount.update(command);
  }
}
