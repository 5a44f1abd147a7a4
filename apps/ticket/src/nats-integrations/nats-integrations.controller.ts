import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateNatsIntegrationCommand, ListNatsIntegrationsCommand, NatsIntegrationRefCommand, subjects, VerifyNatsIntegrationCommand } from '@helpdesk/contracts';
import { NatsIntegrationsService } from './nats-integrations.service.js';

@Controller()
export class NatsIntegrationsController {
  constructor(@Inject(NatsIntegrationsService) private readonly integrations: NatsIntegrationsService) {}

  @MessagePattern(subjects.natsIntegrations.create)
  create(@Payload() command: CreateNatsIntegrationCommand) {
    return this.integrations.create(command);
  }

  @MessagePattern(subjects.natsIntegrations.list)
  list(@Payload() command: ListNatsIntegrationsCommand) {
    return this.integrations.list(command);
  }

  @MessagePattern(subjects.natsIntegrations.revoke)
  revoke(@Payload() command: NatsIntegrationRefCommand) {
    return this.integrations.revoke(command);
  }

  @MessagePattern(subjects.natsIntegrations.verify)
  verify(@Payload() command: VerifyNatsIntegrationCommand) {
    return this.integrations.verify(command);
  }
}
