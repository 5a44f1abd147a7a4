import type { MigrationInterface } from 'typeorm';
import { CreateHelpdeskSchema1764400000000 } from './1764400000000-create-helpdesk-schema.js';
import { StaffByRoleIndex1764700000000 } from './1764700000000-staff-by-role-index.js';

/** Every migration of the ticket service, oldest first. */
export const ticketMigrations: Array<new () => MigrationInterface> = [CreateHelpdeskSchema1764400000000, StaffByRoleIndex1764700000000];
