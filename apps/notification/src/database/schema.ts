/** The PostgreSQL schema the notification service owns: delivery log, idempotency keys, dead letters. */
export const NOTIFICATION_SCHEMA = 'notification';
