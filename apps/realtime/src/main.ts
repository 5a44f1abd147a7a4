import 'reflect-metadata';
import { runService } from '@helpdesk/common';
import { realtimeApp } from './realtime.app.js';

await runService(realtimeApp);
