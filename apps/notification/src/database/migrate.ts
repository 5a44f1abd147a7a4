import 'reflect-metadata';
import { runMigrationCommand } from '@helpdesk/common';
import { NotificationConfig } from '../notification.config.js';
import { notificationMigrations } from './migrations/index.js';
import { NOTIFICATION_SCHEMA } from './schema.js';

await runMigrationCommand({ configClass: NotificationConfig, schema: NOTIFICATION_SCHEMA, migrations: notificationMigrations });
