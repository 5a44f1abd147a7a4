import 'reflect-metadata';
import { runService } from '@helpdesk/common';
import { notificationApp } from './notification.app.js';

await runService(notificationApp);
