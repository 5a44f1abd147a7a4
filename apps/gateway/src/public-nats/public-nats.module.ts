import { Module } from '@nestjs/common';
import { NatsIntegrationVerifier } from './nats-integration-verifier.js';
import { NatsIntegrationsController } from './nats-integrations.controller.js';
import { PublicCommandHandler } from './public-command.handler.js';
import { PublicCommands } from './public-commands.js';
import { PublicNatsConnection } from './public-nats.connection.js';
import { publicNatsAuthorityProvider } from './public-nats-authority.provider.js';

/**
 * NATS as a public interface (issue 21): the gateway's side of the public NATS server. Inert when
 * INTEGRATIONS_NATS_URL is unset (the REST routes then answer that the interface is off).
 */
@Module({
  controllers: [NatsIntegrationsController],
  providers: [PublicNatsConnection, publicNatsAuthorityProvider, NatsIntegrationVerifier, PublicCommands, PublicCommandHandler],
  exports: [PublicNatsConnection, publicNatsAuthorityProvider],
})
export class PublicNatsModule {}
