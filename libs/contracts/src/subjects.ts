import type { ServiceName } from './services.js';

/** Every NATS subject is versioned and built here, so publishers and subscribers cannot drift apart. */
const SUBJECT_ROOT = 'helpdesk.v1';

export const subjects = {
  /** Liveness of a service over NATS: answered by any replica of that service's queue group. */
  ping: (service: ServiceName) => `${SUBJECT_ROOT}.${service}.system.ping`,
  tickets: {
    create: `${SUBJECT_ROOT}.ticket.tickets.create`,
    get: `${SUBJECT_ROOT}.ticket.tickets.get`,
    list: `${SUBJECT_ROOT}.ticket.tickets.list`,
    update: `${SUBJECT_ROOT}.ticket.tickets.update`,
    history: `${SUBJECT_ROOT}.ticket.tickets.history`,
  },
  comments: {
    create: `${SUBJECT_ROOT}.ticket.comments.create`,
    list: `${SUBJECT_ROOT}.ticket.comments.list`,
  },
  organizations: {
    signup: `${SUBJECT_ROOT}.ticket.organizations.signup`,
    get: `${SUBJECT_ROOT}.ticket.organizations.get`,
    update: `${SUBJECT_ROOT}.ticket.organizations.update`,
  },
} as const;
