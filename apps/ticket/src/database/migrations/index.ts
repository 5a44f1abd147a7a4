import type { MigrationInterface } from 'typeorm';

/** Every migration of the ticket service, oldest first; the ticket issue adds the domain tables here. */
export const ticketMigrations: Array<new () => MigrationInterface> = [];
