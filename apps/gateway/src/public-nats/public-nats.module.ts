import { Module } from '@nestjs/common';
import { NatsIntegrationVerifier } from './nats-integration-verifier.js';
import { NatsIntegrationsController } from './nats-integrations.controller.js';
import { PublicCommandHandler } from './public-command.handler.js';
import { PublicCommands } from './public-commands.js';
import { PublicNatsAuthorityModule } from './public-nats-authority.module.js';

/**
 * NATS as a public interface (issue 21): the admin routes for integrations and the public commands'
 * handler, on the authority's credentials and bridge connection. Inert when INTEGRATIONS_NATS_URL is
 * unset (the REST routes then answer that the interface is off).
 */
@Module({
  imports: [PublicNatsAuthorityModule],
  controllers: [NatsIntegrationsController],
  providers: [NatsIntegrationVerifier, PublicCommands, PublicCommandHandler],
})
export class PublicNatsModule {}
