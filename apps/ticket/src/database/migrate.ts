import 'reflect-metadata';
import { runMigrationCommand } from '@helpdesk/common';
import { TicketConfig } from '../ticket.config.js';
import { ticketMigrations } from './migrations/index.js';
import { TICKET_SCHEMA } from './schema.js';

await runMigrationCommand({ configClass: TicketConfig, schema: TICKET_SCHEMA, migrations: ticketMigrations });
