import 'reflect-metadata';
import { runService } from '@helpdesk/common';
import { ticketApp } from './ticket.app.js';

await runService(ticketApp);
