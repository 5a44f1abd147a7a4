import type { ServiceName } from './services.js';

export interface PingReply {
  service: ServiceName;
  instanceId: string;
  version: string;
  uptimeSeconds: number;
}
