import { Module } from '@nestjs/common';
import { PublicEvents } from './public-events.fan-out.js';
import { publicNatsAuthorityProvider } from './public-nats-authority.provider.js';
import { PublicNatsBridgeConnection } from './public-nats-bridge.connection.js';
import { PublicNatsSystemConnection } from './public-nats-system.connection.js';

/** The security side of the public NATS interface: integrations' credentials (PublicNatsAuthority) and the public event fan-out. */
@Module({
  providers: [PublicNatsBridgeConnection, PublicNatsSystemConnection, publicNatsAuthorityProvider, PublicEvents],
  exports: [publicNatsAuthorityProvider, PublicNatsBridgeConnection],
})
export class PublicNatsAuthorityModule {}
