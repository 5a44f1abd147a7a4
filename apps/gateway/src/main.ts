import 'reflect-metadata';
import { runService } from '@helpdesk/common';
import { gatewayApp } from './gateway.app.js';

await runService(gatewayApp);
