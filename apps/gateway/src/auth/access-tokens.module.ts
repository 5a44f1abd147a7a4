import { Global, Module } from '@nestjs/common';
import { AccessTokens } from '@helpdesk/common';
import { GatewayConfig } from '../gateway.config.js';

@Global()
@Module({
  providers: [{ provide: AccessTokens, useFactory: (config: GatewayConfig) => new AccessTokens(config.SECRET_KEY, config.ACCESS_TOKEN_TTL_SECONDS), inject: [GatewayConfig] }],
  exports: [AccessTokens],
})
export class AccessTokensModule {}
