import { Module } from '@nestjs/common';
import { NatsUserRevocations } from './nats-user-revocations.js';
import { PublicEvents } from './public-events.fan-out.js';
import { publicNatsAuthorityProvider } from './public-nats-authority.provider.js';
import { PublicNatsBridgeConnection } from './public-nats-bridge.connection.js';
import { PublicNatsSystemConnection } from './public-nats-system.connection.js';

/** The security side of the public NATS interface: integrations' credentials (PublicNatsAuthority), their revocation on the public server and the public event fan-out. */
@Module({
  providers: [PublicNatsBridgeConnection, PublicNatsSystemConnection, publicNatsAuthorityProvider, NatsUserRevocations, PublicEvents],
  exports: [publicNatsAuthorityProvider, PublicNatsBridgeConnection, NatsUserRevocations],
})
export class PublicNatsAuthorityModule {}
