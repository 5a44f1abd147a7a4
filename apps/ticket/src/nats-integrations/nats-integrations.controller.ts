import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateNatsIntegrationCommand,
  ListNatsIntegrationsCommand,
  NatsIntegrationRefCommand,
  NatsUsersRevokedCommand,
  PendingNatsUserRevocationsCommand,
  subjects,
  VerifyNatsIntegrationCommand,
} from '@helpdesk/contracts';
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

  @MessagePattern(subjects.natsIntegrations.pendingNatsUserRevocations)
  pendingNatsUserRevocations(@Payload() command: PendingNatsUserRevocationsCommand) {
    return this.integrations.pendingNatsUserRevocations(command);
  }

  @MessagePattern(subjects.natsIntegrations.natsUsersRevoked)
  natsUsersRevoked(@Payload() command: NatsUsersRevokedCommand) {
    return this.integrations.natsUsersRevoked(command);
  }
}
