import { Module } from '@nestjs/common';
import { AccessTokens } from '@helpdesk/common';
import { PresenceModule } from '../presence/presence.module.js';
import { RealtimeConfig } from '../realtime.config.js';
import { ReplayModule } from '../replay/replay.module.js';
import { Clock } from './clock.js';
import { ConnectionCap } from './connection-cap.js';
import { ConnectionManager } from './connection-manager.js';
import { MessageRateLimit } from './message-rate-limit.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeMetrics } from './realtime-metrics.js';
import { SessionAuth } from './session-auth.js';
import { StaffPresenceReporter } from './staff-presence-reporter.js';

@Module({
  imports: [PresenceModule, ReplayModule],
  providers: [
    { provide: AccessTokens, useFactory: (config: RealtimeConfig) => new AccessTokens(config.SECRET_KEY), inject: [RealtimeConfig] },
    RealtimeMetrics,
    Clock,
    SessionAuth,
    ConnectionCap,
    MessageRateLimit,
    ConnectionManager,
    StaffPresenceReporter,
    RealtimeGateway,
  ],
  exports: [RealtimeGateway, RealtimeMetrics],
})
export class SocketsModule {}
