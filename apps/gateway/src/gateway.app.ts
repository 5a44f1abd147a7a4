import type { ServiceDefinition } from '@helpdesk/common';
import { GatewayConfig } from './gateway.config.js';
import { GatewayModule } from './gateway.module.js';
import { configureGatewayHttp, gatewayFastifyOptions } from './http/http-setup.js';

export const gatewayApp: ServiceDefinition<GatewayConfig> = {
  service: 'gateway',
  configClass: GatewayConfig,
  module: GatewayModule,
  port: { variable: 'GATEWAY_PORT' },
  fastifyOptions: gatewayFastifyOptions,
  configureHttp: configureGatewayHttp,
  tracesHttpRequests: true,
};
