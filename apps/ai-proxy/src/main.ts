import 'reflect-metadata';
import { runService } from '@helpdesk/common';
import { aiProxyApp } from './ai-proxy.app.js';

await runService(aiProxyApp);
