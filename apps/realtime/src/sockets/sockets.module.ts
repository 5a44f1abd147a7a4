import { Module } from '@nestjs/common';
import { AccessTokens } from '@helpdesk/common';
import { PresenceModule } from '../presence/presence.module.js';
import { RealtimeConfig } from '../realtime.config.js';
import { ReplayModule } from '../replay/replay.module.js';
import { ConnectionManager } from './connection-manager.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeMetrics } from './realtime-metrics.js';

@Module({
  imports: [PresenceModule, ReplayModule],
  providers: [
    { provide: AccessTokens, useFactory: (config: RealtimeConfig) => new AccessTokens(config.SECRET_KEY), inject: [RealtimeConfig] },
    RealtimeMetrics,
    ConnectionManager,
    RealtimeGateway,
  ],
  exports: [RealtimeGateway, RealtimeMetrics],
})
export class SocketsModule {}
