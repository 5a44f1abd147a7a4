import type { ServiceDefinition } from '@helpdesk/common';
import { AiProxyConfig } from './ai-proxy.config.js';
import { AiProxyModule } from './ai-proxy.module.js';

export const aiProxyApp: ServiceDefinition<AiProxyConfig> = {
  service: 'ai-proxy',
  configClass: AiProxyConfig,
  module: AiProxyModule,
  port: { variable: 'AI_PROXY_PORT' },
};
