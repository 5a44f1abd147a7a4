import type { ServiceName } from '@helpdesk/contracts';

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

export interface ServiceIdentity {
  service: ServiceName;
  /** Distinguishes replicas in pings, logs and details. */
  instanceId: string;
  version: string;
}
