import type { ServiceDefinition } from '@helpdesk/common';
import { RealtimeConfig } from './realtime.config.js';
import { RealtimeModule } from './realtime.module.js';

export const realtimeApp: ServiceDefinition<RealtimeConfig> = {
  service: 'realtime',
  configClass: RealtimeConfig,
  module: RealtimeModule,
  port: { variable: 'REALTIME_PORT' },
};
