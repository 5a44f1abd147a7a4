import { Module } from '@nestjs/common';
import { AccessTokens } from '@helpdesk/common';
import { RealtimeConfig } from '../realtime.config.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeMetrics } from './realtime-metrics.js';

@Module({
  providers: [
    { provide: AccessTokens, useFactory: (config: RealtimeConfig) => new AccessTokens(config.SECRET_KEY), inject: [RealtimeConfig] },
    RealtimeMetrics,
    RealtimeGateway,
  ],
  exports: [RealtimeGateway, RealtimeMetrics],
})
export class SocketsModule {}
