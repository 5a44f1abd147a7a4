import type { ServiceDefinition } from '@helpdesk/common';
import { NotificationConfig } from './notification.config.js';
import { NotificationModule } from './notification.module.js';

export const notificationApp: ServiceDefinition<NotificationConfig> = {
  service: 'notification',
  configClass: NotificationConfig,
  module: NotificationModule,
  port: { variable: 'NOTIFICATION_PORT' },
};
