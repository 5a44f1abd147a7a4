import type { ServiceDefinition } from '@helpdesk/common';
import { TicketConfig } from './ticket.config.js';
import { TicketModule } from './ticket.module.js';

export const ticketApp: ServiceDefinition<TicketConfig> = {
  service: 'ticket',
  configClass: TicketConfig,
  module: TicketModule,
  port: { variable: 'TICKET_PORT' },
};
