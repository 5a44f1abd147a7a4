import type { ServiceConfig } from '../config/service-config.js';

/**
 * Connection settings shared by every NATS connection of a service. Reconnection never gives up
 * (a NATS restart must not leave a service permanently cut off), and the first connection is
 * awaited rather than failing, so a service can boot before NATS and become ready when it appears.
 */
export function natsConnectionOptions(config: Pick<ServiceConfig, 'NATS_URL'>, connectionName: string) {
  return {
    servers: config.NATS_URL.split(','),
    name: connectionName,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    waitOnFirstConnect: true,
  };
}
