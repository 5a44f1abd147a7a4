import type { ServiceDefinition } from '@helpdesk/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { RealtimeConfig } from './realtime.config.js';
import { RealtimeModule } from './realtime.module.js';

export const realtimeApp: ServiceDefinition<RealtimeConfig> = {
  service: 'realtime',
  configClass: RealtimeConfig,
  module: RealtimeModule,
  port: { variable: 'REALTIME_PORT' },
  // Socket.IO shares the service's HTTP server (and port) with probes and metrics.
  configureHttp: async (app) => {
    app.useWebSocketAdapter(new IoAdapter(app));
  },
};
