import type { ServiceName } from './services.js';

/** Every NATS subject is versioned and built here, so publishers and subscribers cannot drift apart. */
const SUBJECT_ROOT = 'helpdesk.v1';

export const subjects = {
  /** Liveness of a service over NATS: answered by any replica of that service's queue group. */
  ping: (service: ServiceName) => `${SUBJECT_ROOT}.${service}.system.ping`,
} as const;
