import type { MigrationInterface } from 'typeorm';

/** Every migration of the notification service, oldest first; the notification issue adds its tables here. */
export const notificationMigrations: Array<new () => MigrationInterface> = [];
